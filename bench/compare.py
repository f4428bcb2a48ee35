#!/usr/bin/env python3
"""Our build at two revisions, alternated round by round on the same archive: ratios new / old.

    .venv/bin/python bench/compare.py OLD [NEW] [--size 10000] [--rounds 5] [--like-for-like [--cut-old]]
    .venv/bin/python bench/compare.py OLD [NEW] --pages-of OLD

A benchmark, not a test: it prints a Markdown table (nothing is written to the project).
Each round builds, for the old code and the new in turn (the order swaps every round), into
a fresh output folder on tmpfs: a clean build, a rebuild with no change, one with a document
added, one with a record's title edited. Both revisions build their own copy of the same
corpus (../shared/bench/gen_corpus.py, cached in bench/cache as `make bench` caches it), so
they see the same input. Ratios are medians of the ratios taken round by round: the
machines here are shared and noisy, and a round's two builds see the same load.

With --like-for-like the new revision builds only the outputs the code before the store made
(bench/run.py's LIKE_FOR_LIKE: document pages and raw copies, the index, the listings, the about page,
metadata.json, static files): its registry of producers is cut down in the build process
before it plans, so the comparison measures how the build works, not the outputs added since.
With --cut-old as well, the old revision (one with the registry of producers) is cut down the
same way: two revisions since the store, compared on those outputs alone.

With --pages-of REV the new revision also builds the pages REV built: it takes REV's
templates/ and static/ and leaves every listing whole (one page, as before listings were
split), besides making only the outputs of --like-for-like. Against the code before the store
(`compare.py 573b4fb --pages-of 573b4fb`) both revisions then write the same bytes, which the
first round checks (every file but the manifest): the ratios measure how the build works
alone, not what its pages carry since.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402  (bench/run.py: the corpus, the timing and the edits `make bench` uses)

STEPS = ("clean", "no change", "add one", "edit one")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("old", help="the revision to compare against (git)")
    parser.add_argument("new", nargs="?", help="the revision to measure (default: the working tree)")
    parser.add_argument("--size", type=int, default=10_000, help="documents (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, at most 5 (default 5)")
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm"), help="a tmpfs folder for outputs")
    parser.add_argument("--shared", type=Path, default=bench.SHARED, help="the shared bench scripts")
    parser.add_argument(
        "--like-for-like", action="store_true", help="the new revision makes only the outputs the old code made"
    )
    parser.add_argument(
        "--cut-old", action="store_true", help="with --like-for-like: the old revision makes only those outputs too"
    )
    parser.add_argument(
        "--pages-of", metavar="REV", help="the new revision builds REV's pages: its templates and static files, unsplit"
    )
    args = parser.parse_args(argv)
    args.like_for_like = args.like_for_like or bool(args.pages_of)
    with tempfile.TemporaryDirectory(prefix="compare-", dir=args.tmpfs) as scratch:
        found = compare(args, Path(scratch))
    print(table(found, args))
    return 0


def compare(args: argparse.Namespace, scratch: Path) -> dict[str, dict[str, list[bench.Sample]]]:
    """Samples by revision and step, the rounds alternating which revision goes first."""
    revisions = {"old": args.old, "new": args.new}
    tools = {}
    for name, rev in revisions.items():
        options = argparse.Namespace(shared=args.shared, rev=rev)
        (scratch / name).mkdir()
        tools[name] = bench.prepare_tools(scratch / name, options)
    if args.pages_of:
        take_pages(tools["new"].code, args.pages_of)
    corpus = bench.corpus(args.size, bench.HERE / "cache", tools["old"])
    roots = {}
    for name in revisions:  # beside the corpus: its seeds are hard-linked
        roots[name] = bench.HERE / "cache" / "work" / f"compare-{args.size}-{name}"
        bench.run(["rm", "-rf", str(roots[name])])
        roots[name].parent.mkdir(parents=True, exist_ok=True)
        bench.run([sys.executable, str(tools[name].shared / "prepare.py"), "corpus", str(corpus), str(roots[name])])
    found: dict[str, dict[str, list[bench.Sample]]] = {name: {step: [] for step in STEPS} for name in revisions}
    record = bench.pick_record((roots["old"] / "metadata.yaml").read_text("utf-8"), args.size // 2)
    commands = {name: tools[name].ours for name in revisions}
    if args.like_for_like:
        cut = ("new", "old") if args.cut_old else ("new",)
        only = {"only": bench.LIKE_FOR_LIKE, "unsplit": bool(args.pages_of)}
        commands.update({name: dataclasses.replace(tools[name], **only).ours for name in cut})  # type: ignore[arg-type]
    trees: dict[str, dict[str, str]] = {}
    for r in range(min(args.rounds, bench.EXTRA)):
        for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
            build = commands[name]
            out = scratch / name / f"out{r}"
            seen = trees.setdefault(name, {}) if args.pages_of and r == 0 else None
            for step, sample in one_round(tools[name], build, roots[name], out, record, r, seen):
                found[name][step].append(sample)
            bench.log(f"round {r + 1}: {name} done")
        if r == 0 and args.pages_of and trees["old"] != trees["new"]:
            old, new = trees["old"], trees["new"]
            differ = sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))
            raise SystemExit(f"--pages-of: the clean builds differ in {len(differ):,} files, e.g. {differ[:3]}")
    return found


def take_pages(code: Path, rev: str) -> None:
    """Put REV's templates/ and static/ in place of those of the code snapshot at `code`."""
    for name in ("templates", "static"):
        bench.run(["rm", "-rf", str(code / name)])
    tar = bench.run([*bench.git(), "archive", "--format=tar", rev, "templates", "static"], cwd=bench.PROJECT)
    subprocess.run(["tar", "-x", "-C", str(code)], input=tar, check=True)


def tree_digests(out: Path) -> dict[str, str]:
    """The SHA-256 of every file under `out` but the manifest, by its path from `out`."""
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in bench.BOOKKEEPING
    }


def one_round(tools: bench.Tools, build, root: Path, out: Path, record: tuple[str, str], r: int, seen=None):  # type: ignore[no-untyped-def]
    """The four builds of one round into `out` (removed after), as (step, sample); `build`
    gives the command for a root and an output folder. `seen`, when given, gets the clean
    build's files (see tree_digests)."""
    changes = {
        "clean": lambda: None,
        "no change": lambda: None,
        "add one": lambda: bench.add_document(root, r),
        "edit one": lambda: bench.edit_record(root / "metadata.yaml", record, r),
    }
    for step, change in changes.items():
        change()
        sample, _ = bench.timed(build(root, out), tools, 900)
        if step == "clean" and seen is not None:
            seen.update(tree_digests(out))
        yield step, sample
    for folder in (out, out.parent / f".{out.name}.cache"):
        bench.run(["rm", "-rf", str(folder)])


def table(found: dict[str, dict[str, list[bench.Sample]]], args: argparse.Namespace) -> str:
    """Medians of each revision's wall, CPU and peak memory, and of the round-by-round ratios."""
    lines = [
        f"{args.size:,} documents, output on tmpfs, {len(found['old']['clean'])} rounds alternated;"
        f" old = {args.old}, new = {args.new or 'the working tree'}"
        + (" making only the outputs the old code made" if args.like_for_like else "")
        + (" (both)" if args.like_for_like and args.cut_old else "")
        + (f", with the pages of {args.pages_of}: the same bytes" if args.pages_of else ""),
        "",
        "| build | old wall s | new wall s | new/old wall | old CPU s | new CPU s | new/old CPU"
        " | old peak MiB | new peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in STEPS:
        old, new = found["old"][step], found["new"][step]
        wall = statistics.median(n.wall / o.wall for o, n in zip(old, new, strict=True))
        cpu = statistics.median(n.cpu / o.cpu for o, n in zip(old, new, strict=True))
        median = statistics.median
        lines.append(
            f"| {step} | {median(s.wall for s in old):.3f} | {median(s.wall for s in new):.3f} | {wall:.2f} |"
            f" {median(s.cpu for s in old):.3f} | {median(s.cpu for s in new):.3f} | {cpu:.2f} |"
            f" {median(s.peak_mib for s in old):.0f} | {median(s.peak_mib for s in new):.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
