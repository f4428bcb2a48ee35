#!/usr/bin/env python3
"""The search's figures: bytes, build time, answer latencies in Chromium, files rewritten by an addition.

    .venv/bin/python bench/search.py synthetic DIR     # an archive (metadata.yaml, seeds/), e.g. a corpus
                                                       # of ../shared/bench/gen_corpus.py N DIR --archive
    .venv/bin/python bench/search.py changelogs DIR    # first writes DIR: the Debian changelogs, NEWS and
                                                       # copyright files of this machine (/usr/share/doc)

A benchmark, not a test: it prints Markdown lines to paste into bench/results.md. For the
archive it builds a clean site into a temporary folder (timed as a whole process), counts the
bytes the search adds (search/, texts/ and the search's static files) against the seeds' text,
opens the site from disk in Chromium to time the first answer (meta and shard loads included)
and each further keystroke of a few queries, reports the bytes a query loads, then adds one
document and counts the files the rebuild writes and their bytes. For the texts alone: their
bytes per byte of text, the CPU time their coding takes (against deflate + base64 of each
text, the earlier form), and the time `ArchiveTexts.get` takes per text in Chromium from disk
(script load, inflating and decoding), over an evenly spread sample of the documents.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SEARCH_STATIC = [
    "static/search.js",
    "static/normalise.js",
    "static/normalise-table.js",
    "static/texts.js",
    "static/texts-words.js",
]
QUERIES = ["callamard", "human rights", "xinjiang report", "commission"]
COMMON = "the"


def write_changelogs(folder: Path) -> None:
    """An archive of the Debian changelogs, NEWS and copyright files installed here, one document
    each (distinct UTF-8 texts only)."""
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    lines = [
        "archive:",
        "  title: Debian changelogs",
        "  description: The changelogs of the Debian packages of one machine.",
        "  language: en",
        "stances:",
        "  neutral: {label: Neutral, description: A changelog.}",
        "documents:",
    ]
    docs = Path("/usr/share/doc")
    for path in [
        *sorted(docs.glob("*/changelog*.gz")),
        *sorted(docs.glob("*/NEWS*.gz")),
        *sorted(docs.glob("*/copyright")),
    ]:
        raw = path.resolve().read_bytes()
        data = gzip.decompress(raw) if path.name.endswith(".gz") else raw
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen or not data.strip():
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        seen.add(digest)
        name = f"{path.parent.name}-{path.name.removesuffix('.gz')}.txt"
        kind = path.name.removesuffix(".gz").split(".")[0]
        (folder / "seeds" / name).write_bytes(data)
        years = [int(y) for y in re.findall(rb"\b(19[89]\d|20[0-2]\d)\b", data[:4000])]
        year = str(max(years)) if years else "2000"
        lines.append(
            f"  {json.dumps(name)}: {{title: {json.dumps(path.parent.name + ' ' + kind)}, "
            f"publisher: Debian, date: '{year}', stance: neutral}}"
        )
    (folder / "metadata.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(root: Path, out: Path) -> tuple[float, float]:
    """One whole-process build; its wall time and its CPU time (user + sys, its workers included)
    in seconds: on a shared host the CPU time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(PROJECT / "build.py"), "--root", str(root), "--out", str(out), "--quiet"], check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return time.perf_counter() - start, cpu


def size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


def sizes(site: Path, root: Path) -> dict[str, float]:
    index = size_of(list((site / "search").rglob("*")))
    texts = size_of(list((site / "texts").rglob("*")))
    static = size_of([site / p for p in SEARCH_STATIC])
    seeds = size_of(list((root / "seeds").rglob("*")))
    return {"index": index, "texts": texts, "static": static, "seeds": seeds, "total": index + texts + static}


TIMING = """async ([query, panel]) => {
  const box = document.querySelector('[data-search-box]');
  const area = panel ? document.querySelector('[data-search-results]') : document.querySelector('main');
  const times = [];
  for (let i = 1; i <= query.length; i++) {
    const typed = query.slice(0, i);
    const start = performance.now();
    const changed = new Promise(resolve => {
      const observer = new MutationObserver(() => {
        if (area.querySelector('.search-summary, .search-error, [data-search-status]')) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(area, {childList: true, subtree: true, characterData: true});
    });
    box.value = typed;
    box.dispatchEvent(new Event('input'));
    await Promise.race([changed, new Promise(r => setTimeout(r, 5000))]);
    times.push(performance.now() - start);
  }
  return times;
}"""


def latencies(site: Path) -> dict[str, object]:
    """First answers (a fresh page each) and keystrokes, in Chromium from disk, in ms."""
    from playwright.sync_api import sync_playwright

    first: list[float] = []
    strokes: list[float] = []
    loaded: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        for query in [*QUERIES, COMMON]:
            page = browser.new_page()
            requested: list[str] = []
            page.on("requestfinished", lambda request, requested=requested: requested.append(request.url))
            page.goto((site / "about.html").as_uri())
            page.wait_for_timeout(200)
            times = page.evaluate(TIMING, [query, True])
            page.wait_for_timeout(300)
            first.append(times[min(1, len(times) - 1)])  # the first answer: two characters typed
            strokes.extend(times[2:])
            files = [u.removeprefix(site.as_uri() + "/") for u in requested if u.startswith(site.as_uri())]
            loaded[query] = sum((site / f).stat().st_size for f in files if f.startswith(("search/", "texts/")))
            page.close()
        browser.close()
    strokes.sort()
    return {
        "first_median": statistics.median(first),
        "first_max": max(first),
        "stroke_median": statistics.median(strokes),
        "stroke_p95": strokes[int(0.95 * (len(strokes) - 1))],
        "loaded": loaded,
    }


def texts_cpu(root: Path) -> dict[str, float]:
    """CPU seconds to code every seed's text as texts/PAGE.js does, and as deflate + base64 would."""
    sys.path.insert(0, str(PROJECT))
    from archive.outputs import texts

    words = texts.vocabulary(PROJECT / texts.WORDS_FILE)
    seeds = sorted((root / "seeds").iterdir())
    datas = [p.read_bytes().decode("utf-8").encode("utf-8", "surrogatepass") for p in seeds]
    start = time.process_time()
    for n, data in enumerate(datas):
        texts.encode_text(f"page-{n}", data, words)
    coded = time.process_time() - start
    start = time.process_time()
    for data in datas:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        base64.b64encode(packer.compress(data) + packer.flush())
    return {"coded": coded, "base64": time.process_time() - start}


GET_TIMES = """async pages => {
  const load = src => new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  await load('static/texts.js');
  const times = [];
  let chars = 0;
  for (const page of pages) {
    const start = performance.now();
    const text = await ArchiveTexts.get(page);
    times.push(performance.now() - start);
    chars += text.length;
  }
  return {times, chars};
}"""


def text_times(site: Path, sample: int = 200) -> dict[str, float]:
    """ArchiveTexts.get in Chromium from disk, per text, in ms: the first (the words list loaded
    with it), then the median, 95th percentile and longest of the others."""
    from playwright.sync_api import sync_playwright

    docs = json.loads((site / "metadata.json").read_text(encoding="utf-8"))["documents"]
    step = max(1, len(docs) // sample)
    pages = [d["page"].removeprefix("documents/").removesuffix(".html") for d in docs[::step]][:sample]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.goto((site / "about.html").as_uri())
        got = page.evaluate(GET_TIMES, pages)
        browser.close()
    times = sorted(got["times"][1:])
    return {
        "first": got["times"][0],
        "median": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "max": times[-1],
        "count": len(pages),
        "mean_kb": got["chars"] / len(pages) / 1e3,
    }


def add_one(root: Path, site: Path) -> dict[str, object]:
    """Copy the archive, add one document, rebuild: files the rebuild wrote, their bytes, its time."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "archive"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("_site", "._site.cache"))
        out = Path(folder) / "site"
        build(copy, out)
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        (copy / "seeds" / "added-one.txt").write_text("An added document about Agnès Callamard.\n", encoding="utf-8")
        with open(copy / "metadata.yaml", "a", encoding="utf-8") as stream:
            stream.write("  added-one.txt: {title: An added document, publisher: Added, date: '2022-09-01', stance: ")
            stream.write(
                re.search(r"^  (\w+):", (copy / "metadata.yaml").read_text().split("stances:")[1], re.M)[1] + "}\n"
            )
        seconds, cpu = build(copy, out)
        written = [p for p in out.rglob("*") if p.is_file() and before.get(p) != p.stat().st_mtime_ns]
        search = [p for p in written if p.relative_to(out).parts[0] in ("search", "texts")]
        return {
            "seconds": seconds,
            "cpu": cpu,
            "written": len(written),
            "search_written": len(search),
            "search_bytes": size_of(search),
            "index_written": dict(Counter(p.name.split("-")[0] for p in search if p.parent.name == "search")),
        }


def main(argv: list[str]) -> int:
    kind, folder = argv[0], Path(argv[1])
    if kind == "changelogs" and not (folder / "metadata.yaml").exists():
        write_changelogs(folder)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        seconds, cpu = build(folder, site)
        found = sizes(site, folder)
        documents = len(list((folder / "seeds").iterdir()))
        mb = found["seeds"] / 1e6
        print(f"{kind}: {documents:,} documents, {mb:.1f} MB of text")
        print(f"clean build: {seconds:.1f} s wall, {cpu:.1f} s CPU (user + sys)")
        print(
            f"search bytes: index {found['index'] / 1e6:.1f} MB + texts {found['texts'] / 1e6:.1f} MB"
            f" + scripts {found['static'] / 1e3:.0f} KB = {found['total'] / 1e6:.1f} MB"
            f" ({found['total'] / found['seeds']:.2f} bytes per byte of text;"
            f" index alone {found['index'] / found['seeds']:.2f})"
        )
        print(
            f"texts: {found['texts'] / 1e6:.1f} MB, {found['texts'] / found['seeds']:.3f} bytes per byte of text"
            f" ({len(list((site / 'texts').iterdir())):,} files)"
        )
        cpu = texts_cpu(folder)
        print(f"texts' coding: {cpu['coded']:.1f} s CPU (deflate + base64 of each text: {cpu['base64']:.1f} s)")
        got = text_times(site)
        print(
            f"ArchiveTexts.get in Chromium, file://, {got['count']} texts of {got['mean_kb']:.0f} K characters"
            f" on average: the first (with the words list) {got['first']:.0f} ms; the others median"
            f" {got['median']:.1f} ms, p95 {got['p95']:.1f} ms, longest {got['max']:.0f} ms"
        )
        timing = latencies(site)
        print(
            f"first answer: median {timing['first_median']:.0f} ms, worst {timing['first_max']:.0f} ms;"
            f" keystrokes: median {timing['stroke_median']:.0f} ms, p95 {timing['stroke_p95']:.0f} ms"
        )
        print("bytes loaded per query (index and texts): " + json.dumps(timing["loaded"]))
        added = add_one(folder, site)
        print(
            f"add one document: {added['seconds']:.1f} s wall, {added['cpu']:.1f} s CPU,"
            f" {added['written']} files written, {added['search_written']} of them search/texts"
            f" ({added['search_bytes'] / 1e3:.0f} KB; index files: {added['index_written']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
