#!/usr/bin/env python3
"""What citations, line addresses and the files of a published site add to a build.

    .venv/bin/python bench/publish.py                       # 10,000 documents, main against the working tree
    .venv/bin/python bench/publish.py --revs main,HEAD~1,.  # any revisions ("." is the working tree)

A benchmark, not a test: it prints a Markdown table. For each revision it builds the same
synthetic archive (../shared/bench/gen_corpus.py, generated once into the cache) from clean
into a tmpfs folder with a base address, then adds one document (../shared/bench/add_one.sh)
and builds again. It reports wall and CPU time (os.wait4, the build and its workers), the
files and bytes of the site by top-level folder, and which files the added document made
the build write (a file is written when its mtime, size or inode changed), with their bytes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SHARED = PROJECT.parent / "shared" / "bench"
BASE_URL = "https://archive.example.org/xinjiang/"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument(
        "--revs", default="main,.", help="revisions to compare, comma-separated; '.' is the working tree"
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "archive-bench-publish")
    parser.add_argument("--out", type=Path, default=Path("/dev/shm"), help="a tmpfs folder for the sites")
    args = parser.parse_args()
    corpus = make_corpus(args.size, args.cache)
    for rev in args.revs.split(","):
        code = snapshot(rev, args.cache)
        root = args.cache / f"root-{rev.replace('/', '_')}"
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(Path(f"{root}.pending"), ignore_errors=True)
        run([sys.executable, str(SHARED / "prepare.py"), "corpus", str(corpus), str(root)])
        site = args.out / f"archive-bench-publish-{os.getpid()}"
        shutil.rmtree(site, ignore_errors=True)
        try:
            report(rev, code, root, site)
        finally:
            shutil.rmtree(site, ignore_errors=True)
    return 0


def make_corpus(n: int, cache: Path) -> Path:
    """The synthetic archive of n documents (and a few put aside to add), made once."""
    path = cache / f"c{n}"
    if not path.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        run([sys.executable, str(SHARED / "gen_corpus.py"), str(n), str(path), "--archive", "--extra", "5"])
    return path


def snapshot(rev: str, cache: Path) -> Path:
    """The project's code at a revision ("." : the working tree as it is)."""
    if rev == ".":
        return PROJECT
    dest = cache / f"code-{rev.replace('/', '_')}"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def timed_build(code: Path, root: Path, site: Path) -> tuple[float, float]:
    """One build as a user runs it: (wall seconds, CPU seconds of it and its workers)."""
    command = [sys.executable, str(code / "build.py"), "--root", str(root), "--out", str(site), "--quiet"]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--base-url", BASE_URL])
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return wall, usage.ru_utime + usage.ru_stime


def tree(site: Path) -> dict[str, tuple[int, int, int]]:
    """Every file of the site: (mtime_ns, size, inode) by path."""
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(site).as_posix()] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return found


def kind(path: str) -> str:
    return path.split("/", 1)[0] + ("/" if "/" in path else "")


def report(rev: str, code: Path, root: Path, site: Path) -> None:
    wall, cpu = timed_build(code, root, site)
    before = tree(site)
    files, sizes = Counter(map(kind, before)), Counter()
    for path, (_, size, _) in before.items():
        sizes[kind(path)] += size
    added = subprocess.run(["sh", str(SHARED / "add_one.sh"), str(root)], check=True, capture_output=True, text=True)
    add_wall, add_cpu = timed_build(code, root, site)
    after = tree(site)
    written = sorted(path for path in after if before.get(path) != after[path])
    print(f"\n### {rev}\n")
    print(f"clean build: {wall:.2f} s wall, {cpu:.2f} s CPU; {len(before):,} files, {sum(sizes.values()):,} bytes\n")
    print("| folder | files | bytes |\n|---|---:|---:|")
    for name in sorted(files):
        print(f"| {name} | {files[name]:,} | {sizes[name]:,} |")
    print(
        f"\nadd one document ({added.stdout.split()[0] if added.stdout else '?'}): {add_wall:.2f} s wall, "
        f"{add_cpu:.2f} s CPU; {len(written)} files written, {sum(after[p][1] for p in written):,} bytes:\n"
    )
    for path in written:
        print(f"- {path} ({after[path][1]:,} bytes)")


if __name__ == "__main__":
    raise SystemExit(main())
