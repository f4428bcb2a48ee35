#!/usr/bin/env python3
"""The filter data and the compare page at scale: a benchmark, not a test.

    .venv/bin/python bench/browse.py [--corpus bench/cache/c10000] [--rounds 3]
    .venv/bin/python bench/browse.py --site SITE   # only the search page's filters, on a built site

On a synthetic corpus (../shared/bench/gen_corpus.py, made by `make bench` into bench/cache;
generated here when missing), output on tmpfs:

- the size of the filter data (filters/*.js): total, number of files, largest and median file;
- what the two producers (filters, compare) add to a clean build: the time spent planning and
  making their files, timed inside clean builds run in one process (`--jobs 1`), median of
  rounds (whole builds alternated with and without them differ by less than this host's noise);
- the files a build rewrites when one document is added, and how many of them are filter data;
- in Chromium over file://, the time from opening index.html to the filter form answering
  (the page and the filter data loaded and counted), and the time to apply a filter: the counts
  and matches alone, and from the address changed to the filtered list drawn and laid out
  (which includes hiding the index's own lists), for a stance, a publisher and a date range;
- on search.html over file://, for a query matching most documents and one matching few: the
  time from opening the page to the results shown and to the filter's counts of them (every
  result's page read from the index's document tables), the time to apply a stance filter to
  the results (the address changed to the filtered results drawn), and to open a filtered
  search afresh (everything loaded and matched).

It prints a Markdown section; paste it into bench/results.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SHARED = PROJECT.parent / "shared" / "bench"
TIMED = """
import sys, time, functools
sys.path.insert(0, {project!r})
from archive import outputs
spent = [0.0]

def timed(function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
    return run

class Timed:
    def __init__(self, producer):
        self.NAME, self.VERSION, self.producer = producer.NAME, producer.VERSION, producer
    def plan(self, planning):
        planned = timed(lambda: list(self.producer.plan(planning)))()
        return [output._replace(make=timed(output.make)) for output in planned]

outputs.PRODUCERS[:] = [Timed(p) if p.NAME in ("filters", "compare") else p for p in outputs.PRODUCERS]
import build
status = build.main(sys.argv[1:])
print(f"{{spent[0]:.4f}}")
sys.exit(status)
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


def build(root: Path, out: Path) -> float:
    """One whole-process build of root into out; its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(PROJECT / "build.py"), "--root", str(root), "--out", str(out), "--quiet"], check=True
    )
    return time.perf_counter() - started


def timed_build(root: Path, out: Path) -> tuple[float, float]:
    """A build in one process (`--jobs 1`): the time spent planning and making the filters' and
    compare's files, and the build's wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(project=str(PROJECT)), "--root", str(root), "--out", str(out)]
        + ["--quiet", "--jobs", "1"],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.split()[-1]), time.perf_counter() - started


def producers_cost(root: Path, work: Path, rounds: int) -> tuple[float, float]:
    """Medians over clean builds of timed_build."""
    spent, walls = [], []
    for n in range(rounds):
        out = work / f"clean-{n}"
        producers, wall = timed_build(root, out)
        spent.append(producers)
        walls.append(wall)
        shutil.rmtree(out)
        shutil.rmtree(out.with_name(f".{out.name}.cache"), ignore_errors=True)
    return statistics.median(spent), statistics.median(walls)


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def add_one(source: Path, root: Path, site: Path) -> tuple[list[str], float, float]:
    """Add the first document the corpus put aside; the files the rebuild wrote, and the time
    its filters and compare took and its wall time (see timed_build)."""
    seed = sorted((source / "extra" / "seeds").iterdir())[0]
    before = mtimes(site)
    shutil.copy(seed, root / "seeds" / seed.name)
    with open(root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write((source / "extra" / "meta" / f"{seed.stem}.yaml").read_text("utf-8"))
    spent, wall = timed_build(root, site)
    after = mtimes(site)
    return sorted(p for p in after if before.get(p) != after[p]), spent, wall


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


SEARCH = """
import json, sys, statistics
from playwright.sync_api import sync_playwright
search, queries, stance = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
APPLY = '''([text, hash]) => new Promise(resolve => {
    const t = performance.now(), node = document.querySelector('[data-search-status]');
    const done = () => node.textContent.includes(text) && (resolve(performance.now() - t), true);
    new MutationObserver((_, observer) => done() && observer.disconnect())
        .observe(node, {childList: true, characterData: true, subtree: true});
    location.hash = hash;
})'''
SHOWN = "() => / match/.test(document.querySelector('[data-search-status]').textContent)"
COUNTED = "() => document.querySelector('[data-filter-status]').textContent.includes('result')"
FILTERED = "() => document.querySelector('[data-search-status]').textContent.includes('with the filters')"
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
    page = browser.new_page()
    out = {}
    for name, word in queries.items():
        shown, counted, applied, fresh = [], [], [], []
        for _ in range(5):
            page.goto("about:blank")
            page.goto(search + "#q=" + word)
            page.wait_for_function(SHOWN, timeout=120000)
            shown.append(page.evaluate("() => performance.now()"))
            page.wait_for_function(COUNTED, timeout=120000)
            counted.append(page.evaluate("() => performance.now()"))
            summary = page.locator("[data-search-status]").text_content()
            applied.append(page.evaluate(APPLY, ["with the filters", "q=" + word + "&stance=" + stance]))
            filtered = page.locator("[data-search-status]").text_content()
            page.goto("about:blank")
            page.goto(search + "#q=" + word + "&stance=" + stance)
            page.wait_for_function(FILTERED, timeout=120000)
            fresh.append(page.evaluate("() => performance.now()"))
        out[name] = {"query": word, "summary": summary, "filtered": filtered,
                     "shown": statistics.median(shown), "counted": statistics.median(counted),
                     "applied": statistics.median(applied), "fresh": statistics.median(fresh)}
    print(json.dumps(out))
    browser.close()
"""


def search_queries(site: Path) -> tuple[dict[str, str], str]:
    """A query matching most documents (the commonest word of the titles) and one matching the
    fewest a title word can (the title word, of four letters or more, fewest texts hold), and a
    stance to filter by."""
    data = json.loads((site / "metadata.json").read_text("utf-8"))["documents"]
    titles = collections.Counter(w for d in data for w in set(re.findall("[a-z]+", d["title"].lower())) if len(w) > 3)
    held: collections.Counter[str] = collections.Counter()
    for d in data:
        text = (site / d["raw"]).read_text("utf-8", errors="replace") + " " + d["title"] + " " + d["publisher"]
        held.update(set(re.findall("[a-z]+", text.lower())) & titles.keys())
    rare = min(titles, key=lambda word: (held[word], word))
    return {"most documents": titles.most_common(1)[0][0], "fewer documents": rare}, data[len(data) // 2]["stance"]


def search_times(site: Path) -> dict[str, Any]:
    """Median times (ms) in Chromium over file:// of the search page's filters (see SEARCH)."""
    queries, stance = search_queries(site)
    result = subprocess.run(
        [sys.executable, "-c", SEARCH, (site / "search.html").as_uri(), json.dumps(queries), stance],
        check=True,
        capture_output=True,
        text=True,
    )
    return {"stance": stance, "queries": json.loads(result.stdout)}


def print_search_times(figures: dict[str, Any], documents: int) -> None:
    """The search page's filter figures as a Markdown table."""
    print(f"\n### Filters on the search page, {documents:,} documents (Chromium, file://, median of 5)\n")
    print(
        "| query | results / with the filter | page opened to: results shown / counted "
        "| apply the filter | a filtered search opened afresh |"
    )
    print("| --- | --- | ---: | ---: | ---: |")
    for name, q in figures["queries"].items():
        print(
            f"| {name}: `q={q['query']}`, `stance={figures['stance']}` | {q['summary']} / {q['filtered']} "
            f"| {q['shown']:.0f} ms / {q['counted']:.0f} ms | {q['applied']:.0f} ms | {q['fresh']:.0f} ms |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT / "bench" / "cache" / "c10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--site", type=Path, help="a built site: measure only the search page's filters on it")
    args = parser.parse_args()
    if args.site:
        count = len(json.loads((args.site / "metadata.json").read_text("utf-8"))["documents"])
        print_search_times(search_times(args.site), count)
        return 0
    source = corpus(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="browse-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    try:
        root = archive_copy(source, work)
        spent, wall = producers_cost(root, work, args.rounds)
        site = work / "site"
        build(root, site)
        shards = sorted((site / "filters").glob("*.js"))
        sizes = [p.stat().st_size for p in shards]
        browser = browser_times(site)
        searched = search_times(site)
        written, add_spent, add_wall = add_one(source, root, site)
        documents = len(list((root / "seeds").iterdir())) - 1
        print(f"### Filter data and compare page, {documents:,} documents (tmpfs)\n")
        print("| figure | value |\n| --- | ---: |")
        print(f"| filter data, total | {sum(sizes):,} bytes in {len(sizes)} files |")
        print(f"| largest file / median file | {max(sizes):,} / {int(statistics.median(sizes)):,} bytes |")
        print(f"| compare.html | {(site / 'compare.html').stat().st_size:,} bytes |")
        print(f"| clean build in one process (`--jobs 1`, median of {args.rounds}) | {wall:.2f} s |")
        print(f"| of it, planning and making the filter data and compare.html | {spent:.3f} s |")
        filter_files = [p for p in written if p.startswith("filters/")]
        print(f"| files rewritten adding one document | {len(written)}, of them filter data: {len(filter_files)} |")
        print(
            f"| adding one document (`--jobs 1`): the build / of it, filters and compare | {add_wall:.2f} s / "
            f"{add_spent * 1000:.0f} ms |"
        )
        print(f"| index.html to the filter form answering (Chromium, file://) | {browser['load']:.0f} ms |")
        for name, ms in browser["applied"].items():  # type: ignore[attr-defined]
            computed = browser["computed"][name]  # type: ignore[index]
            fragment = browser["filters"][name]  # type: ignore[index]
            print(
                f"| apply a filter: {name} (`#{fragment}`): counts and matches / drawn and laid out "
                f"| {computed:.1f} ms / {ms:.0f} ms |"
            )
        print(f"\nFiles rewritten adding one document: {', '.join(written)}")
        print_search_times(searched, documents)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
