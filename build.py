#!/usr/bin/env python3
"""Build a static archive site: every document in seeds/ kept verbatim, with honest metadata.

    python build.py [build] [--root DIR] [--out DIR] [--base-url URL]   # build the site
    python build.py check [--root DIR]                                   # validate, write nothing

The pipeline, one stage per module of the `archive` package:

    load -> validate -> derive -> render -> write
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from archive.derive import Site, derive_site
from archive.load import load_metadata, load_seeds
from archive.model import Archive
from archive.problems import Invalid, Problem, shown, summary
from archive.render import make_environment, render_site
from archive.validate import validate
from archive.write import Written, check_output, write_site

PROJECT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    command: str
    root: Path
    out: Path
    base_url: str
    quiet: bool


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 1 on bad input, 2 on a usage mistake (from argparse)."""
    options = parse_args(argv)
    started = time.perf_counter()
    try:
        site = load_site(options.root)
        if options.command == "check":
            return report_check(site, options)
        files = render_site(site, *site_theme(options.root), options.base_url)
        check_output(options.out, options.root, options.root / "seeds")
        written = write_files(files, options.out)
    except Invalid as invalid:
        return report_problems(invalid.problems)
    report_build(files, written, options, time.perf_counter() - started)
    return 0


def load_site(root: Path) -> Site:
    """Load, validate and derive: the archive as the pages will show it."""
    metadata = root / "metadata.yaml"
    seeds, seed_problems = load_seeds(root / "seeds")
    try:
        archive: Archive = validate(load_metadata(metadata), seeds, metadata, root / "seeds")
    except Invalid as invalid:
        raise Invalid(invalid.problems + seed_problems)
    if seed_problems:
        raise Invalid(seed_problems)
    return derive_site(archive, shown(metadata))


def site_theme(root: Path) -> tuple[object, list[Path]]:
    """Templates and static files: the archive's own where it has them, else the project's."""
    template_dirs = [d for d in (root / "templates", PROJECT / "templates") if d.is_dir()]
    static_dirs = [d for d in (PROJECT / "static", root / "static") if d.is_dir()]
    return make_environment(list(dict.fromkeys(template_dirs))), list(dict.fromkeys(static_dirs))


def write_files(files: dict[str, bytes], out: Path) -> Written:
    """Write the site; a failed write is a problem to report, not a traceback."""
    try:
        return write_site(files, out)
    except OSError as error:
        where = shown(Path(error.filename)) if error.filename else shown(out)
        raise Invalid([Problem(where, 0, f"cannot write: {error.strerror}; the previous site is unchanged")])


def report_problems(problems: list[Problem]) -> int:
    """Print every problem, compiler style, then a summary; exit status 1."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(summary(problems), file=sys.stderr)
    return 1


def report_check(site: Site, options: Options) -> int:
    """The one line `check` prints when all is well."""
    if not options.quiet:
        print(f"ok: {len(site.entries)} documents, {len(site.stances)} stances, no problems")
    return 0


def report_build(files: dict[str, bytes], written: Written, options: Options, seconds: float) -> None:
    """The one line a build ends with."""
    if options.quiet:
        return
    pages = sum(1 for path in files if path.endswith(".html"))
    print(
        f"built {pages:,} pages: {written.written:,} files written, {written.unchanged:,} unchanged, "
        f"{written.removed:,} removed in {seconds:.2f} s -> {shown(options.out / 'index.html')}"
    )


def parse_args(argv: list[str] | None) -> Options:
    """The command line; argparse exits with status 2 on a usage mistake."""
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["build", "check"], default="build",
                        help="build the site (default) or only check the input")
    parser.add_argument("--root", type=Path, default=PROJECT,
                        help="folder holding metadata.yaml and seeds/ (default: the folder of build.py)")
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/_site)")
    parser.add_argument("--base-url", default="", help="the address the site will be published at, for canonical links")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but problems")
    args = parser.parse_args(argv)
    base_url = args.base_url
    if base_url and not base_url.startswith(("http://", "https://")):
        parser.error(f"--base-url must start with http:// or https://, got '{base_url}'")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    if args.command == "check" and args.out:
        parser.error("check writes nothing; --out goes with build")
    return Options(args.command, args.root, args.out or args.root / "_site", base_url, args.quiet)


if __name__ == "__main__":
    sys.exit(main())
