#!/usr/bin/env python3
"""Build a static archive site: every document in seeds/ kept verbatim, with honest metadata.

    python build.py [build] [--root DIR] [--out DIR] [--base-url URL]   # build the site
    python build.py check [--root DIR]                                   # validate, write nothing
    python build.py serve [--root DIR] [--port N]                        # preview, rebuilt on change

The pipeline, one stage per module of the `archive` package:

    load -> validate -> derive -> render (plan) -> write (only what changed)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from archive import fingerprint
from archive.problems import Invalid, Problem, shown, summary

# The heavy stages (YAML, Jinja2, Markdown) are imported only when a build has work to do,
# so that a rebuild with nothing changed costs milliseconds.

PROJECT = Path(__file__).resolve().parent
MEMO_VERSION = "5"
"""Bump when what the memo holds changes meaning (the rows in it are keyed by the code's digest)."""
RECORDS = "records.marshal"
"""The records of metadata.yaml as last validated (see archive/records.py)."""
PLACEMENT = "placement.marshal"
"""Where the last build placed each document (see archive/derive.py)."""


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


class Report(NamedTuple):
    """What a build did, for the one line it ends with."""

    pages: int
    written: int
    unchanged: int
    removed: int
    kept: tuple[str, ...] = ()
    """Files kept in the site that this build does not make (see write.Written.kept)."""


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 1 on bad input, 2 on a usage mistake (from argparse)."""
    options = parse_args(argv)
    if options.command == "serve":
        from archive.serve import serve

        return serve(options, build)
    started = time.perf_counter()
    try:
        if options.command == "check":
            return report_check(load_site(options.root, jobs=options.jobs), options)
        report = build(options)
    except Invalid as invalid:
        return report_problems(invalid.problems)
    report_build(report, options, time.perf_counter() - started)
    return 0


@contextlib.contextmanager
def without_garbage_collection() -> Iterator[None]:
    """A build makes many objects and few reference cycles (imports included): collecting them
    costs a third of its time. Frozen objects are also shared with worker processes instead of copied."""
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


@without_garbage_collection()
def build(options: Options) -> Report:
    """Load, validate, derive, plan and write the site; raise Invalid with every problem."""
    stages = Stages(options.verbosity > 1)
    template_dirs, static_dirs = theme_dirs(options.root)
    settings = f"{options.out.resolve()}\0{options.base_url}"
    inputs, newest = fingerprint.inputs_digest(options.root, settings, template_dirs, static_dirs)
    last = fingerprint.unchanged(options.out, inputs, newest)
    stages.done("fingerprint", "nothing changed" if last else "inputs changed")
    if last is not None:
        return Report(last["pages"], 0, last["files"], 0)
    from archive.render import Theme, plan_site
    from archive.write import check_output, count_pages, folders_of, locked

    check_output(options.out, options.root, options.root / "seeds")  # before anything is written beside it
    memo_version = f"{MEMO_VERSION} {fingerprint.libraries()}"
    memo = fingerprint.read_memo(options.out, memo_version)
    remembered = fingerprint.memo_keys(memo)
    theme = Theme(template_dirs, static_dirs, options.out, memo["templates"])
    placement = read_placement(options.out, theme.code)
    site = load_site(options.root, options.out, memo["slugs"], options.jobs, placement)
    stages.done("load", f"{len(site.entries):,} documents valid" + placed(site))
    plan = plan_site(site, theme, options.base_url, options.root / "seeds", memo, placement)
    outputs = plan.outputs
    memo["templates"] = theme.references
    stages.done("plan", f"{len(outputs):,} files")
    cache = fingerprint.cache_dir(options.out)
    with locked(cache, options.out):
        check_output(options.out, options.root, options.root / "seeds")  # again: another build may have run
        settled = fingerprint.settled_folders(options.out)
        fingerprint.forget(options.out)
        folders = folders_of(outputs)
        written = write_files(outputs, options, cache / "journal.json", settled, folders)
        pages = count_pages(outputs)
        fingerprint.remember(options.out, inputs, sorted(folders), {"pages": pages, "files": len(outputs)})
    fingerprint.write_memo(options.out, memo_version, memo, remembered)
    keep_placement(options.out, site, plan, theme.code, placement)
    stages.done("write", f"{written.written:,} written, {written.removed:,} removed")
    return Report(pages, written.written, written.unchanged, written.removed, written.kept)


class Stages:
    """With --verbose, the time each stage took, on standard error."""

    def __init__(self, verbose: bool) -> None:
        self.verbose, self.last = verbose, time.perf_counter()

    def done(self, stage: str, detail: str) -> None:
        now = time.perf_counter()
        if self.verbose:
            print(f"  {stage:<12} {now - self.last:6.2f} s  {detail}", file=sys.stderr)
        self.last = now


def load_site(root: Path, out: Path | None = None, slug_memo: dict[str, str] | None = None, jobs: int = 1, last=None):  # type: ignore[no-untyped-def]
    """Load, validate and derive: the archive as the pages will show it.

    With `out`, seeds unchanged since the last build of that site are not read again.
    `jobs` processes may parse the records of a large metadata.yaml. `last`: the last
    build's placement (see derive.Placement), into which a few changed documents are placed.
    """
    from archive.derive import derive_site
    from archive.load import SeedsRead, start_loading_seeds
    from archive.model import Seed
    from archive.records import load_archive

    metadata = root / "metadata.yaml"
    known, trusted_before = fingerprint.read_seeds(out, root / "seeds") if out else ({}, 0)
    listing = fingerprint.LISTINGS.get(str(root / "seeds")) if out else None
    reading = start_loading_seeds(root / "seeds", known, trusted_before, fingerprint.STATS if out else {}, listing)
    read: list[SeedsRead] = []

    def seeds() -> dict[str, Seed] | None:
        """The seeds, once read: metadata.yaml is parsed while worker processes read them."""
        if not read:
            read.append(reading())
        return read[0][0]

    try:
        archive, records = load_archive(
            metadata, seeds, root / "seeds", fingerprint.read_state(out, RECORDS) if out else None, jobs, slug_memo
        )
    except Invalid as invalid:
        seeds()
        raise Invalid(invalid.problems + read[0][1]) from None
    found, seed_problems = read[0]  # load_archive always asks for the seeds
    if out and found is not None:
        fingerprint.write_seeds(out, found, known)
    if seed_problems:
        raise Invalid(seed_problems)
    if out and records is not None:
        fingerprint.keep_state(out, RECORDS, records)
    return derive_site(archive, shown(metadata), slug_memo, last)


def read_placement(out: Path, code: str):  # type: ignore[no-untyped-def]
    """Where the last build placed each document, if made by this code (see derive.Placement)."""
    from archive.derive import placement_from

    return placement_from(fingerprint.read_state(out, PLACEMENT), code)


def keep_placement(out: Path, site, plan, code: str, last) -> None:  # type: ignore[no-untyped-def]
    """Keep where this build placed each document, unless it differs from the last placement
    in only a few documents (the next build places those few again)."""
    from archive.derive import placement_bytes

    changed = site.patch.changed if last is not None and site.patch is not None and last.salted == plan.salted else -1
    if changed < 0 or fingerprint.worth_writing(changed, len(site.entries), len(last.docs)):
        fingerprint.keep_state(out, PLACEMENT, placement_bytes(site, plan.digests, plan.salted, plan.keys, code))


def placed(site) -> str:  # type: ignore[no-untyped-def]
    """What the verbose line of the load stage says about placing the documents."""
    if site.patch is None:
        return ", all placed"
    return f", {len(site.patch.fresh):,} placed into the last build's order"


def theme_dirs(root: Path) -> tuple[list[Path], list[Path]]:
    """Templates and static files: the archive's own where it has them, over the project's."""
    templates = [d for d in (root / "templates", PROJECT / "templates") if d.is_dir()]
    static = [d for d in (PROJECT / "static", root / "static") if d.is_dir()]
    return list(dict.fromkeys(templates)), list(dict.fromkeys(static))


def write_files(outputs, options: Options, journal: Path, settled: set[str], folders: set[str]):  # type: ignore[no-untyped-def]
    """Write the site; a failed write is a problem to report, not a traceback."""
    from archive.write import write_site

    progress = options.verbosity > 0 and sys.stderr.isatty()
    try:
        return write_site(outputs, options.out, journal, options.jobs, progress, settled, folders)
    except OSError as error:
        where = shown(Path(error.filename)) if error.filename else shown(options.out)
        raise Invalid([Problem(where, 0, f"cannot write: {error.strerror}; the previous site is unchanged")]) from None


def report_problems(problems: list[Problem]) -> int:
    """Print every problem, compiler style, then a summary; exit status 1."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(summary(problems), file=sys.stderr)
    return 1


def report_check(site, options: Options) -> int:  # type: ignore[no-untyped-def]
    """The one line `check` prints when all is well."""
    if options.verbosity:
        print(f"ok: {len(site.entries)} documents, {len(site.stances)} stances, no problems")
    return 0


KEPT_LISTED = 20
"""Files kept though not made that a build names one by one; the rest are counted."""


def report_build(report: Report, options: Options, seconds: float) -> None:
    """The one line a build ends with, after a line for each file kept though not made (always shown)."""
    for path in report.kept[:KEPT_LISTED]:
        print(
            f"{shown(options.out / path)}: kept, though this build does not make it: the site's manifest was"
            " damaged or from another version, so nothing shows that an earlier build wrote it",
            file=sys.stderr,
        )
    if len(report.kept) > KEPT_LISTED:
        print(f"{shown(options.out)}: {len(report.kept) - KEPT_LISTED:,} more files kept so", file=sys.stderr)
    if options.verbosity:
        print(
            f"built {report.pages:,} pages: {report.written:,} files written, {report.unchanged:,} unchanged, "
            f"{report.removed:,} removed in {seconds:.2f} s -> {shown(options.out / 'index.html')}"
        )


def parse_args(argv: list[str] | None) -> Options:
    """The command line; argparse exits with status 2 on a usage mistake."""
    parser = argparse.ArgumentParser(prog="build.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "command",
        nargs="?",
        choices=["build", "check", "serve"],
        default="build",
        help="build the site (default), only check the input, or serve a live preview",
    )
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
    args = parser.parse_args(argv)
    base_url = args.base_url
    if base_url and not base_url.startswith(("http://", "https://")):
        parser.error(f"--base-url must start with http:// or https://, got '{base_url}'")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    if args.command == "check" and args.out:
        parser.error("check writes nothing; --out goes with build")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    root = args.root
    return Options(args.command, root, args.out or root / "_site", base_url, verbosity, args.port, args.jobs)


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # every file is closed and every worker joined: no need to free the heap object by object
