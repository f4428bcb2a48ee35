"""The command line: what it asks for (Options), and the lines a build or a check ends with.

The commands themselves are build.py's: this module reads their arguments and prints their
reports, so that build.py reads as the pipeline it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .addresses import site_address_problem
from .problems import Problem, printable, shown, summary

if TYPE_CHECKING:  # named in annotations only
    from .derive import Site

PROJECT = Path(__file__).resolve().parent.parent
"""The folder of build.py: the archive a build reads when no --root is given."""
COMMANDS = ("build", "check", "serve", "export", "bag", "verify")
"""What build.py can be asked to do (build when none is named)."""


class Options(NamedTuple):
    """What the command line asked for."""

    command: str
    root: Path
    out: Path
    base_url: str
    verbosity: int
    """0 quiet, 1 normal, 2 verbose."""
    port: int = 8000
    jobs: int = 2
    target: Path | None = None
    """Where `export` and `bag` write."""


class Report(NamedTuple):
    """What a build did, for the one line it ends with."""

    pages: int
    written: int
    unchanged: int
    removed: int
    kept: tuple[str, ...] = ()
    """Files kept in the site that this build does not make (see write.Written.kept)."""
    renamed: tuple[str, ...] = ()
    """What the build says of each page an edit renamed: the alias that keeps links to it working."""
    published: bool = True
    """Whether the site has a base address (else the files that need one are left out)."""
    locked: int = 0
    """Page names this build gave for the first time, added to names.lock."""


class Stages:
    """With --verbose, the time each stage took, on standard error."""

    def __init__(self, verbose: bool) -> None:
        self.verbose, self.last = verbose, time.perf_counter()

    def done(self, stage: str, detail: str) -> None:
        now = time.perf_counter()
        if self.verbose:
            print(f"  {stage:<12} {now - self.last:6.2f} s  {detail}", file=sys.stderr)
        self.last = now


def report_problems(problems: list[Problem]) -> int:
    """Print every problem, compiler style, then a summary; exit status 1."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(summary(problems), file=sys.stderr)
    return 1


def report_check(site: Site, options: Options) -> int:
    """The one line `check` prints when all is well."""
    if options.verbosity:
        print(f"ok: {len(site.entries)} documents, {len(site.stances)} stances, no problems")
    return 0


KEPT_LISTED = 20
"""Files kept though not made that a build names one by one; the rest are counted."""


NO_BASE_ADDRESS = (
    "no base address (--base-url or archive.base_url): feed.atom, sitemap.xml, robots.txt and 404.html left out"
)


def report_build(report: Report, options: Options, seconds: float) -> None:
    """The one line a build ends with, after a line for each page renamed and each file kept though
    not made (always shown)."""
    for notice in report.renamed:
        print(notice, file=sys.stderr)
    for path in report.kept[:KEPT_LISTED]:
        print(
            f"{shown(options.out / path)}: kept, though this build does not make it: the site's manifest was"
            " damaged or from another version, so nothing shows that an earlier build wrote it",
            file=sys.stderr,
        )
    if len(report.kept) > KEPT_LISTED:
        print(f"{shown(options.out)}: {len(report.kept) - KEPT_LISTED:,} more files kept so", file=sys.stderr)
    if options.verbosity and not report.published:
        print(NO_BASE_ADDRESS, file=sys.stderr)
    if options.verbosity:
        print(
            f"built {report.pages:,} pages: {report.written:,} files written, {report.unchanged:,} unchanged, "
            f"{report.removed:,} removed in {seconds:.2f} s -> {shown(options.out / 'index.html')}"
        )


def parse_args(argv: list[str] | None, description: str) -> Options:
    """The command line; argparse exits with status 2 on a usage mistake. `description`: what
    `--help` says the program does."""
    parser = argparse.ArgumentParser(prog="build.py", description=description)
    parser.add_argument(
        "command",
        nargs="?",
        choices=COMMANDS,
        default="build",
        help="build the site (default), only check the input, serve a live preview, export the corpus,"
        " make a bag, or verify a built site",
    )
    parser.add_argument("target", nargs="?", type=Path, help="export: the folder to write; bag: the FILE.zip to write")
    parser.add_argument(
        "--root",
        type=Path,
        default=PROJECT,
        help="folder holding metadata.yaml and seeds/ (default: the folder of build.py)",
    )
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/_site)")
    parser.add_argument("--base-url", default="", help="the address the site will be published at, for canonical links")
    parser.add_argument("--port", type=int, default=8000, help="port for serve on 127.0.0.1 (0: any free port)")
    parser.add_argument(
        "--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1), help="processes that render pages"
    )
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", "-q", action="store_true", help="print nothing but problems")
    loudness.add_argument("--verbose", "-v", action="store_true", help="say what each stage did")
    args = parser.parse_intermixed_args(argv)  # `bag --root DIR FILE.zip` as well as `bag FILE.zip --root DIR`
    base_url = args.base_url
    if base_url and not base_url.startswith(("http://", "https://")):
        parser.error(f"--base-url must start with http:// or https://, got '{base_url}'")
    wrong = site_address_problem(base_url) if base_url else None
    if wrong is not None:
        parser.error(f"--base-url '{printable(base_url)}' {wrong}")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    if args.command == "check" and args.out:
        parser.error("check writes nothing; --out goes with build")
    check_target_argument(parser, args.command, args.target, args.out)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be from 0 (any free port) to 65535, got {args.port}")
    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    root = args.root
    out = args.out or root / "_site"
    return Options(args.command, root, out, base_url, verbosity, args.port, args.jobs, args.target)


def check_target_argument(parser: argparse.ArgumentParser, command: str, target: Path | None, out: Path | None) -> None:
    """`export DIR` and `bag FILE.zip` need their target; no other command takes one."""
    if command == "export" and target is None:
        parser.error("export needs the folder to write: python build.py export DIR")
    if command == "bag" and (target is None or target.suffix != ".zip"):
        parser.error("bag needs the file to write, ending in .zip: python build.py bag FILE.zip")
    if command not in ("export", "bag") and target is not None:
        parser.error(f"{command} takes no file or folder, got '{target}'")
    if command in ("export", "bag") and out:
        parser.error(f"{command} writes {target}; --out goes with build and verify")
