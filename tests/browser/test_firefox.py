"""Search from disk in Firefox (firefox-esr over WebDriver BiDi, by puppeteer-core from npm).

Firefox treats file:// more strictly than Chromium: each script file is its own origin there.
The site loads its scripts with <script src> only, which Firefox allows from disk.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .conftest import PROJECT, require

FIREFOX = Path("/usr/bin/firefox-esr")
SCRIPT = PROJECT / "tests" / "browser" / "firefox_search.js"


def test_search_from_disk_in_firefox(real_site):
    node = shutil.which("node")
    require(node is not None, "node not found", "apt-get install nodejs")
    require(FIREFOX.exists(), f"{FIREFOX} not found", "apt-get install firefox-esr")
    require((PROJECT / "node_modules" / "puppeteer-core").is_dir(), "puppeteer-core not found", "run `npm ci`")
    result = subprocess.run(
        [str(node), str(SCRIPT), str(real_site.root), str(FIREFOX)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    documents = json.loads((real_site.root / "metadata.json").read_text("utf-8"))["documents"]
    texts = {doc["page"].split("/")[-1]: (real_site.root / doc["raw"]).read_text("utf-8") for doc in documents}
    quoting = sorted(doc["title"] for doc in documents if "Callamard" in texts[doc["page"].split("/")[-1]])
    assert sorted(item["title"] for item in seen["panel"]) == quoting
    assert all(item["marks"] == ["Callamard"] for item in seen["panel"])
    assert seen["phrase"] and {mark.lower() for mark in seen["phrase"]} == {"crimes against humanity"}
    assert seen["chinese"] == ["公益"]
    shown = seen["document"]
    assert shown["text"] == texts[shown["page"]].replace("\r\n", "\n")
    assert shown["marks"] == ["Callamard"] * texts[shown["page"]].count("Callamard")
    assert shown["inView"] and shown["scrolled"]
    assert seen["errors"] == []
