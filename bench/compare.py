#!/usr/bin/env python3
"""Our build at two revisions, alternated round by round on the same archive: ratios new / old.

    .venv/bin/python bench/compare.py OLD [NEW] [--size 10000] [--rounds 5] [--like-for-like [--cut-old]]

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
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
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
    args = parser.parse_args(argv)
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
        commands.update({name: dataclasses.replace(tools[name], only=bench.LIKE_FOR_LIKE).ours for name in cut})
    for r in range(min(args.rounds, bench.EXTRA)):
        for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
            build = commands[name]
            for step, sample in one_round(tools[name], build, roots[name], scratch / name / f"out{r}", record, r):
                found[name][step].append(sample)
            bench.log(f"round {r + 1}: {name} done")
    return found


def one_round(tools: bench.Tools, build, root: Path, out: Path, record: tuple[str, str], r: int):  # type: ignore[no-untyped-def]
    """The four builds of one round into `out` (removed after), as (step, sample); `build`
    gives the command for a root and an output folder."""
    changes = {
        "clean": lambda: None,
        "no change": lambda: None,
        "add one": lambda: bench.add_document(root, r),
        "edit one": lambda: bench.edit_record(root / "metadata.yaml", record, r),
    }
    for step, change in changes.items():
        change()
        sample, _ = bench.timed(build(root, out), tools, 900)
        yield step, sample
    for folder in (out, out.parent / f".{out.name}.cache"):
        bench.run(["rm", "-rf", str(folder)])


def table(found: dict[str, dict[str, list[bench.Sample]]], args: argparse.Namespace) -> str:
    """Medians of each revision's wall, CPU and peak memory, and of the round-by-round ratios."""
    lines = [
        f"{args.size:,} documents, output on tmpfs, {len(found['old']['clean'])} rounds alternated;"
        f" old = {args.old}, new = {args.new or 'the working tree'}"
        + (" making only the outputs the old code made" if args.like_for_like else "")
        + (" (both)" if args.like_for_like and args.cut_old else ""),
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
