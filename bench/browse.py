#!/usr/bin/env python3
"""The filter data and the compare page at scale: a benchmark, not a test.

    .venv/bin/python bench/browse.py [--corpus bench/cache/c10000] [--rounds 3]

On a synthetic corpus (../shared/bench/gen_corpus.py, made by `make bench` into bench/cache;
generated here when missing), output on tmpfs:

- the size of the filter data (filters/*.js): total, number of files, largest and median file;
- what the two producers (filters, compare) add to a clean build: whole-process clean builds
  with all producers and without those two, alternated round by round (medians);
- the files a build rewrites when one document is added, and how many of them are filter data;
- in Chromium over file://, the time from opening index.html to the filter form answering
  (the page and the filter data loaded and counted), and the time to apply a filter: the counts
  and matches alone, and from the address changed to the filtered list drawn and laid out
  (which includes hiding the index's own lists), for a stance, a publisher and a date range.

It prints a Markdown section; paste it into bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SHARED = PROJECT.parent / "shared" / "bench"
WITHOUT = """
import sys
sys.path.insert(0, {project!r})
from archive import outputs
outputs.PRODUCERS[:] = [p for p in outputs.PRODUCERS if p.NAME not in ("filters", "compare")]
import build
sys.exit(build.main(sys.argv[1:]))
"""


def corpus(path: Path) -> Path:
    """The corpus at path, generated (10,000 documents and 5 aside) when it is not there."""
    if not (path / "metadata.yaml").is_file():
        subprocess.run(
            [sys.executable, str(SHARED / "gen_corpus.py"), "10000", str(path), "--archive", "--extra", "5"], check=True
        )
    return path


def archive_copy(source: Path, work: Path) -> Path:
    """A copy of the corpus to build and add to (on tmpfs, where the outputs are)."""
    root = work / "archive"
    root.mkdir()
    subprocess.run(["cp", "-a", str(source / "seeds"), str(root / "seeds")], check=True)
    shutil.copy(source / "metadata.yaml", root / "metadata.yaml")
    return root


def build(root: Path, out: Path, without: bool = False) -> float:
    """One whole-process build of root into out; its wall time in seconds."""
    code = ["-c", WITHOUT.format(project=str(PROJECT))] if without else [str(PROJECT / "build.py")]
    started = time.perf_counter()
    subprocess.run([sys.executable, *code, "--root", str(root), "--out", str(out), "--quiet"], check=True, cwd=root)
    return time.perf_counter() - started


def clean_builds(root: Path, work: Path, rounds: int) -> tuple[float, float]:
    """Median wall time of clean builds with all producers and without filters and compare."""
    times: dict[bool, list[float]] = {False: [], True: []}
    for n in range(rounds):
        for without in (False, True):
            out = work / f"clean-{n}-{without}"
            times[without].append(build(root, out, without))
            shutil.rmtree(out)
            shutil.rmtree(out.with_name(f".{out.name}.cache"), ignore_errors=True)
    return statistics.median(times[False]), statistics.median(times[True])


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def add_one(source: Path, root: Path, site: Path) -> list[str]:
    """Add the first document the corpus put aside; the files the rebuild wrote."""
    seed = sorted((source / "extra" / "seeds").iterdir())[0]
    before = mtimes(site)
    shutil.copy(seed, root / "seeds" / seed.name)
    with open(root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write((source / "extra" / "meta" / f"{seed.stem}.yaml").read_text("utf-8"))
    build(root, site)
    after = mtimes(site)
    return sorted(p for p in after if before.get(p) != after[p])


BROWSER = """
import json, sys, statistics
COMPUTE = '''async fragment => {
    const data = await ArchiveFilter.load(), state = ArchiveFilter.parse(fragment), t = performance.now();
    ArchiveFilter.counts(data.records, state);
    ArchiveFilter.filter(data.records, state);
    return performance.now() - t;
}'''
READY = "() => document.querySelector('[data-filter-status]').textContent.includes('in the archive')"
from playwright.sync_api import sync_playwright
index, filters = sys.argv[1], json.loads(sys.argv[2])
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
    page = browser.new_page()
    loads, applied, computed = [], {name: [] for name in filters}, {name: [] for name in filters}
    for _ in range(5):
        page.goto("about:blank")
        page.goto(index)
        page.wait_for_function(READY, timeout=120000)
        loads.append(page.evaluate("() => performance.now()"))
        for name, fragment in filters.items():
            ms = page.evaluate('''fragment => new Promise(resolve => {
                const t = performance.now();
                addEventListener("hashchange", () => { document.body.offsetHeight; resolve(performance.now() - t); },
                                 {once: true});
                location.hash = fragment;
            })''', fragment)
            applied[name].append(ms)
            computed[name].append(page.evaluate(COMPUTE, fragment))
            count = page.locator("[data-filter-status]").text_content()
            page.evaluate("() => { location.hash = ''; }")
            page.wait_for_function("() => !document.querySelector('[data-filter-results]').offsetParent")
    print(json.dumps({"load": statistics.median(loads), "count": count,
                      "applied": {k: statistics.median(v) for k, v in applied.items()},
                      "computed": {k: statistics.median(v) for k, v in computed.items()}}))
    browser.close()
"""


def browser_times(site: Path) -> dict[str, object]:
    """Median times (ms) in Chromium over file://: the form answering, and each filter applied."""
    import json

    records = (site / "metadata.json").read_text("utf-8")
    data = json.loads(records)["documents"]
    first = data[len(data) // 2]
    publisher = first["publisher"].lower().replace(" ", "-")
    filters = {
        "one stance": f"stance={first['stance']}",
        "one publisher": f"publisher={publisher}",
        "a month, with a stance": f"stance={first['stance']}&from={first['date'][:7]}&to={first['date'][:7]}",
    }
    result = subprocess.run(
        [sys.executable, "-c", BROWSER, (site / "index.html").as_uri(), json.dumps(filters)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(result.stdout), filters=filters)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT / "bench" / "cache" / "c10000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    source = corpus(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="browse-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    try:
        root = archive_copy(source, work)
        with_both, without = clean_builds(root, work, args.rounds)
        site = work / "site"
        build(root, site)
        shards = sorted((site / "filters").glob("*.js"))
        sizes = [p.stat().st_size for p in shards]
        browser = browser_times(site)
        written = add_one(source, root, site)
        documents = len(list((root / "seeds").iterdir())) - 1
        print(f"### Filter data and compare page, {documents:,} documents (tmpfs)\n")
        print("| figure | value |\n| --- | ---: |")
        print(f"| filter data, total | {sum(sizes):,} bytes in {len(sizes)} files |")
        print(f"| largest file / median file | {max(sizes):,} / {int(statistics.median(sizes)):,} bytes |")
        print(f"| compare.html | {(site / 'compare.html').stat().st_size:,} bytes |")
        print(f"| clean build, all producers (median of {args.rounds}) | {with_both:.2f} s |")
        print(f"| clean build without filters and compare | {without:.2f} s |")
        print(f"| what the two add to a clean build | {with_both - without:+.2f} s |")
        filter_files = [p for p in written if p.startswith("filters/")]
        print(f"| files rewritten adding one document | {len(written)}, of them filter data: {len(filter_files)} |")
        print(f"| index.html to the filter form answering (Chromium, file://) | {browser['load']:.0f} ms |")
        for name, ms in browser["applied"].items():  # type: ignore[attr-defined]
            computed = browser["computed"][name]  # type: ignore[index]
            fragment = browser["filters"][name]  # type: ignore[index]
            print(
                f"| apply a filter: {name} (`#{fragment}`): counts and matches / drawn and laid out "
                f"| {computed:.1f} ms / {ms:.0f} ms |"
            )
        print(f"\nFiles rewritten adding one document: {', '.join(written)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
