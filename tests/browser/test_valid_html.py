"""Every page is valid HTML, as the Nu Html Checker (vnu, the W3C's validator) reads it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

# A page with known errors, checked in the same run: proof that the checker reads the pages
# and reports what it finds, so "0 errors" means something.
BROKEN = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title></head>
<body><p><div>A div inside a paragraph's end</p></div><img src="x.png"></body></html>
"""


def run_vnu(command: list[str], files: list[Path]) -> list[dict[str, object]]:
    """vnu's messages for these files, from one run of one JVM."""
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        output = result.stderr + result.stdout
        raise AssertionError(f"vnu did not report in JSON (exit {result.returncode}):\n{output}") from None
    return list(report["messages"])


def describe(message: dict[str, object], roots: dict[str, Path]) -> str:
    """One vnu message as `file:line: message`, with the markup it is about."""
    where = str(message.get("url", "?")).removeprefix("file:")
    for name, root in roots.items():
        where = where.replace(str(root) + "/", f"{name}:")
    extract = str(message.get("extract", "")).strip().replace("\n", " ")
    return f"{where}:{message.get('lastLine', '?')}: {message.get('message')}  [{extract}]"


def test_every_page_is_valid_html(sites, vnu_command, tmp_path):
    roots = {name: site.root for name, site in sites.items()}
    pages = [site.root / page for site in sites.values() for page in [*site.pages, *site.moved]]
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN, encoding="utf-8")

    messages = run_vnu(vnu_command, [*pages, broken])

    canary = [m for m in messages if str(m.get("url", "")).endswith("/broken.html")]
    assert canary, "vnu found no error in a page that has some: the checker is not working"
    errors = [describe(m, roots) for m in messages if m not in canary]
    assert not errors, f"vnu: {len(errors)} errors in {len(pages)} pages:\n" + "\n".join(errors)
