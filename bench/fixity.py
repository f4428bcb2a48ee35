#!/usr/bin/env python3
"""What the data files, SHA256SUMS and the bag cost, and how long export, bag and verify take.

    .venv/bin/python bench/fixity.py [--size 10000] [--rounds 3] [--tmpfs /dev/shm] [--corpus DIR]

A benchmark, not a test: it prints Markdown (nothing is written to the project). On a copy of
the corpus `make bench` uses (bench/cache/cNNNN, made by ../shared/bench/gen_corpus.py) in a
tmpfs folder, each round builds the site clean twice, alternating which goes first: with every
producer, and without metadata.csv, datapackage.json and SHA256SUMS; then adds one document
(gen_corpus.py's put-aside ones, in turn) and rebuilds both. It counts the files each build
wrote (new or changed modification time) and their bytes, and times, as whole processes,
`export`, `bag` and `verify` on the built site, and a clean build and an addition with
`archive.bag_in_site` on.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
FIXITY = ("metadata.csv", "datapackage.json", "SHA256SUMS")
"""The files of the site the fixity producers make (bag.zip only with the setting)."""
WITHOUT = (
    "import sys, build; from archive import outputs; "
    "outputs.PRODUCERS[:] = [p for p in outputs.PRODUCERS if p.NAME not in ('metadata.csv', 'datapackage.json',"
    " 'SHA256SUMS', 'bag.zip')]; sys.exit(build.main(sys.argv[1:]))"
)
"""build.py with the producers measured here left out."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm"))
    parser.add_argument("--corpus", type=Path, help="the corpus folder (default: bench/cache/cSIZE)")
    args = parser.parse_args(argv)
    corpus = args.corpus or HERE / "cache" / f"c{args.size}"
    if not (corpus / "metadata.yaml").is_file():
        parser.error(f"{corpus}: no corpus; make it with `make bench` or gen_corpus.py {args.size} DIR --archive")
    with tempfile.TemporaryDirectory(prefix="fixity-", dir=args.tmpfs) as scratch:
        print(measure(corpus, Path(scratch), args.rounds))
    return 0


def measure(corpus: Path, scratch: Path, rounds: int) -> str:
    """Every figure, as Markdown."""
    rows: dict[str, list[tuple[float, float]]] = {}
    files: dict[str, str] = {}
    extra = sorted((corpus / "extra" / "seeds").iterdir())
    for r in range(rounds):
        order = [True, False] if r % 2 == 0 else [False, True]
        for with_fixity in order:
            name = "with" if with_fixity else "without"
            root, out = fresh_root(corpus, scratch / f"{name}-{r}")
            rows.setdefault(f"clean, {name}", []).append(timed(build_command(root, out, with_fixity)))
            before = stamps(out)
            files[f"clean, {name}"] = describe(out, sorted(before))
            add(corpus, root, extra[r % len(extra)])
            rows.setdefault(f"add one, {name}", []).append(timed(build_command(root, out, with_fixity)))
            written = changed(before, stamps(out))
            files[f"add one, {name}"] = describe(out, written)
            if with_fixity:
                files["fixity sizes"] = ", ".join(f"{p} {(out / p).stat().st_size:,} B" for p in FIXITY)
                commands(root, out, scratch / f"take-{r}", rows)
            shutil.rmtree(root.parent)
    bag_site(corpus, scratch / "bag-site", rows, files, extra)
    lines = ["| step | median wall (s) | median CPU (s) | runs, wall/CPU |", "| --- | ---: | ---: | --- |"]
    for step, values in rows.items():
        walls, cpus = [v[0] for v in values], [v[1] for v in values]
        runs = ", ".join(f"{w:.2f}/{c:.2f}" for w, c in values)
        lines.append(f"| {step} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | {runs} |")
    lines += ["", "| what | files written |", "| --- | --- |"]
    lines += [f"| {step} | {text} |" for step, text in files.items()]
    return "\n".join(lines)


def commands(root: Path, out: Path, take: Path, rows: dict[str, list[tuple[float, float]]]) -> None:
    """export, bag and verify on the built site, timed; each must succeed."""
    python, build = sys.executable, str(PROJECT / "build.py")
    for step, command in (
        ("export", [python, build, "export", "--root", str(root), str(take / "export"), "--quiet"]),
        ("bag", [python, build, "bag", "--root", str(root), str(take / "archive.zip"), "--quiet"]),
        ("verify", [python, build, "verify", "--out", str(out), "--quiet"]),
    ):
        rows.setdefault(step, []).append(timed(command))
    sizes = rows.setdefault("bag, corpus.jsonl (MB)", [])
    sizes.append(((take / "archive.zip").stat().st_size / 1e6, (take / "export" / "corpus.jsonl").stat().st_size / 1e6))
    shutil.rmtree(take)


def bag_site(
    corpus: Path, scratch: Path, rows: dict[str, list[tuple[float, float]]], files: dict[str, str], extra: list[Path]
) -> None:
    """A clean build and an addition with archive.bag_in_site on."""
    root, out = fresh_root(corpus, scratch)
    metadata = root / "metadata.yaml"
    metadata.write_text(
        metadata.read_text("utf-8").replace("  language: en\n", "  language: en\n  bag_in_site: true\n", 1)
    )
    rows["clean, bag_in_site"] = [timed(build_command(root, out, True))]
    before = stamps(out)
    add(corpus, root, extra[-1])
    rows["add one, bag_in_site"] = [timed(build_command(root, out, True))]
    files["add one, bag_in_site"] = describe(out, changed(before, stamps(out)))


def fresh_root(corpus: Path, folder: Path) -> tuple[Path, Path]:
    """A copy of the corpus's metadata.yaml and seeds, and where its site goes."""
    root = folder / "root"
    (root / "seeds").mkdir(parents=True)
    shutil.copyfile(corpus / "metadata.yaml", root / "metadata.yaml")
    for seed in (corpus / "seeds").iterdir():
        shutil.copyfile(seed, root / "seeds" / seed.name)
    return root, folder / "site"


def add(corpus: Path, root: Path, seed: Path) -> None:
    """One put-aside document: its seed and its record."""
    shutil.copyfile(seed, root / "seeds" / seed.name)
    record = (corpus / "extra" / "meta" / seed.with_suffix(".yaml").name).read_text("utf-8")
    with open(root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write(record)


def build_command(root: Path, out: Path, with_fixity: bool) -> list[str]:
    head = [sys.executable, str(PROJECT / "build.py")] if with_fixity else [sys.executable, "-c", WITHOUT]
    return [*head, "--root", str(root), "--out", str(out), "--quiet"]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user and system, the build's worker processes included) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"exit status {done.returncode}: {command}\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def stamps(out: Path) -> dict[str, int]:
    found = {}
    for folder, _, names in os.walk(out):
        for name in names:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, out)] = os.stat(path).st_mtime_ns
    return found


def changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(path for path, stamp in after.items() if before.get(path) != stamp)


def describe(out: Path, paths: list[str]) -> str:
    """How many files, how many bytes, and which of them are the fixity files (with their bytes)."""
    total = sum((out / p).stat().st_size for p in paths)
    ours = [p for p in paths if p in (*FIXITY, "bag.zip")]
    detail = ", ".join(f"{p} {(out / p).stat().st_size:,} B" for p in ours)
    return f"{len(paths):,} files, {total:,} B; of them {detail or 'none of these'}"


if __name__ == "__main__":
    sys.exit(main())
