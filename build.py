#!/usr/bin/env python3
"""Build a static archive site: every document in seeds/ kept verbatim, with honest metadata.

    python build.py [build] [--root DIR] [--out DIR] [--base-url URL]   # build the site
    python build.py check [--root DIR]                                   # validate, write nothing
    python build.py serve [--root DIR] [--port N]                        # preview, rebuilt on change
    python build.py export DIR [--root DIR]                              # corpus.jsonl and citation files
    python build.py bag FILE.zip [--root DIR]                            # the archive as a zipped BagIt bag
    python build.py verify [--out DIR]                                   # check every file of a built site

The pipeline, one stage per module of the `archive` package:

    load -> validate -> derive -> render (plan) -> write (only what changed)
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import fingerprint
from archive.cli import PROJECT, Options, Report, Stages, parse_args, report_build, report_check, report_problems
from archive.problems import Invalid, Problem, shown
from archive.store import Store, forget_fingerprint, last_build, locked, record_build, settled_folders, unchanged

if TYPE_CHECKING:  # named in annotations only: the modules are imported when a build needs them
    from archive.derive import Site
    from archive.model import Seed
    from archive.names import SlugMemo
    from archive.placement import Placement
    from archive.render import Output, Remembering
    from archive.write import Written

# The heavy stages (YAML, Jinja2, Markdown) are imported only when a build has work to do,
# so that a rebuild with nothing changed costs little more than the stat of its inputs.


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 1 on bad input, 2 on a usage mistake (from argparse)."""
    options = parse_args(argv, (__doc__ or "").split("\n\n")[0])
    if options.command == "serve":
        from archive.serve import serve

        return serve(options, build)
    started = time.perf_counter()
    try:
        if options.command == "check":
            return report_check(load_site(options.root, jobs=options.jobs), options)
        if options.command in TAKE_AWAY:
            return TAKE_AWAY[options.command](options)
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
    last = last_build(options.out)
    summary = unchanged(options.out, last, inputs, newest)
    stages.done("fingerprint", "nothing changed" if summary else "inputs changed")
    if summary is not None:
        return Report(summary["pages"], 0, summary["files"], 0)
    check_output(options.out, options.root)  # before anything is written beside it
    store = Store.open(options.out)
    try:
        return build_site(options, store, (inputs, last), stages)
    except Invalid:
        store.commit()  # what was read of the seeds and records holds, whatever else is wrong
        raise
    finally:
        store.close()


def build_site(options: Options, store: Store, fingerprints: tuple[str, Any], stages: Stages) -> Report:
    """Plan the site from what the store remembers, write what changed, and remember for the next
    build. `fingerprints`: the digest of this build's inputs, and the last build's fingerprint."""
    inputs, last = fingerprints
    from archive.memory import keep_memo, keep_placement, keep_slugs, memo_parts, read_placement
    from archive.names import SlugMemo
    from archive.render import plan_site
    from archive.theme import Theme
    from archive.write import count_pages, folders_of

    template_dirs, static_dirs = theme_dirs(options.root)
    memo = {part: store.all(part) for part in memo_parts()}
    theme = Theme(template_dirs, static_dirs, store, memo["templates"])
    placement = read_placement(store)
    slugs = SlugMemo(find=functools.partial(store.get, "slugs"))  # title -> slug: only those asked are read
    site = load_site(options.root, store, slugs, options.jobs, placement)
    stages.done("load", f"{len(site.entries):,} documents valid" + placed(site))
    base_url = options.base_url or site.archive.base_url
    renamed = renamed_pages(site, placement, options.root)
    plan = plan_site(site, theme, base_url, options.root / "seeds", memo, placement, store.get)
    outputs = plan.outputs
    memo["templates"] = theme.references
    stages.done("plan", f"{len(outputs):,} files")
    with locked(options.out):
        check_output(options.out, options.root)  # again: another build may have run
        settled = settled_folders(options.out, last)
        lock, added = lock_names(site, options.root)  # before the pages that bear the names: a failure leaves the site
        inputs = fingerprint.with_lock(inputs, lock)
        forget_fingerprint(options.out)  # a build killed from here on must not look done
        folders = folders_of(outputs)
        written = write_files(outputs, options, settled, folders, plan.made)
        keep_memo(store, memo, plan.dropped)
        keep_slugs(store, slugs, site)
        if theme.compiled is not None:
            store.keep_only("compiled", theme.compiled.live)  # every template planned was loaded here
        keep_placement(store, site, plan, placement, lock)
        store.commit()
        pages = count_pages(outputs)
        record_build(options.out, inputs, sorted(folders), {"pages": pages, "files": len(outputs)})
    stages.done("write", f"{written.written:,} written, {written.removed:,} removed")
    return Report(
        pages, written.written, written.unchanged, written.removed, written.kept, renamed, bool(base_url), added
    )


def lock_names(site: Site, root: Path) -> tuple[str, int]:
    """Add the names this build gave for the first time to names.lock (see archive/namelock.py);
    the digest of the lock as it now is, and how many names were added."""
    from archive.namelock import lock_after, write_lock

    data, added = lock_after(site)
    if not added or data is None:
        return site.lock.digest, 0
    path = root / fingerprint.LOCK
    try:
        write_lock(path, data)
    except OSError as error:
        message = f"cannot write: {error.strerror}; the names this build gave are not locked yet"
        raise Invalid([Problem(shown(path), 0, message)]) from None
    return fingerprint.lock_digest(data), added


def export(options: Options) -> int:
    """`export DIR`: the corpus and the citation files of the valid archive (see archive/export.py)."""
    from archive.export import export

    assert options.target is not None
    check_target(options.target, options.root)
    if options.target.exists() and not options.target.is_dir():
        raise Invalid([Problem(shown(options.target), 0, "is a file: export writes its files into a folder")])
    site = load_site(options.root, jobs=options.jobs)
    with reported_if_not_written(options.target):
        written = export(site, options.target, options.base_url or site.archive.base_url)
    if options.verbosity:
        print(f"exported {len(site.entries):,} documents: {', '.join(shown(path) for path in written)}")
    return 0


def bag(options: Options) -> int:
    """`bag FILE.zip`: the valid archive as a zipped BagIt bag (see archive/bag.py)."""
    from archive.bag import write_bag_file
    from archive.namelock import lock_after

    assert options.target is not None
    check_target(options.target, options.root)
    site = load_site(options.root, jobs=options.jobs)
    with reported_if_not_written(options.target):
        options.target.parent.mkdir(parents=True, exist_ok=True)
        size = write_bag_file(options.target, options.root, site.archive, lock_after(site)[0])
    if options.verbosity:
        count = len(site.archive.seeds)
        seeds = f"{count:,} {'seed' if count == 1 else 'seeds'}"
        print(f"bagged {seeds} and the metadata: {size:,} bytes -> {shown(options.target)}")
    return 0


def verify(options: Options) -> int:
    """`verify`: every file of a built site against its records (see archive/verify.py); 1 on any difference."""
    from archive.verify import verify_site

    found = verify_site(options.out)
    for line in found.differences + found.unlisted:
        print(line)
    if found.differences:
        count = len(found.differences)
        print(f"{count:,} {'file differs' if count == 1 else 'files differ'} from the site's records", file=sys.stderr)
        return 1
    if options.verbosity:
        print(
            f"verified {found.checked:,} files of {shown(options.out)}: no difference from the manifest,"
            f" SHA256SUMS and metadata.json ({found.raw:,} raw copies);"
            f" {len(found.unlisted):,} files not in the manifest"
        )
    return 0


TAKE_AWAY = {"export": export, "bag": bag, "verify": verify}
"""The commands that take the archive away or check a copy of it, by name."""


def check_target(target: Path, root: Path) -> None:
    """Refuse to write an export or a bag into seeds/: nothing is ever written near the documents."""
    seeds = (root / "seeds").resolve()
    if target.resolve().is_relative_to(seeds):
        raise Invalid([Problem(shown(target), 0, "is inside seeds/; nothing is ever written near the documents")])


def renamed_pages(site: Site, last: Placement | None, root: Path) -> tuple[str, ...]:
    """What to say of each document whose page the last build named otherwise (see placement.renamed_pages)."""
    from archive.placement import renamed_pages

    return tuple(map(str, renamed_pages(site, last, shown(root / "metadata.yaml")))) if last is not None else ()


def check_output(out: Path, root: Path) -> None:
    """Refuse an output folder whose contents the build could damage (see write.check_output)."""
    from archive.write import check_output

    check_output(out, root, root / "seeds")


def load_site(
    root: Path,
    store: Store | None = None,
    slugs: SlugMemo | None = None,
    jobs: int = 1,
    last: Placement | None = None,
) -> Site:
    """Load, validate and derive: the archive as the pages will show it.

    With a `store` (the site's), seeds unchanged since it remembered them are not read again,
    nor records it remembers, and what is read is remembered. `jobs` processes may parse the
    records of a large metadata.yaml. `last`: the last build's placement (see placement.Placement),
    into which a few changed documents are placed.
    """
    from archive.derive import derive_site
    from archive.memory import keep_records, remember_seeds
    from archive.namelock import read_lock
    from archive.names import SlugMemo
    from archive.records import load_archive
    from archive.seeds import SeedsRead, remembered_seeds, start_loading_seeds

    metadata = root / "metadata.yaml"
    lock, lock_problems = read_lock(root / fingerprint.LOCK, shown(root / fingerprint.LOCK))
    known = remembered_seeds(store.all("seeds"), root / "seeds") if store else {}
    listing = fingerprint.LISTINGS.get(str(root / "seeds")) if store else None
    stats = fingerprint.STATS if store else {}
    reading = start_loading_seeds(root / "seeds", known, store.written if store else 0, stats, listing)
    read: list[SeedsRead] = []

    def seeds() -> dict[str, Seed] | None:
        """The seeds, once read: metadata.yaml is parsed while worker processes read them."""
        if not read:
            read.append(reading())
        return read[0][0]

    try:
        recall = store.get if store else None
        parsed: dict[str, str] = {}  # slugs of titles and publishers made by processes that parse records
        archive, records = load_archive(metadata, seeds, root / "seeds", recall, jobs, parsed)
    except Invalid as invalid:
        seeds()
        remember_seeds(store, read[0][0], known)
        raise Invalid(invalid.problems + read[0][1] + lock_problems) from None
    found, seed_problems = read[0]  # load_archive always asks for the seeds
    remember_seeds(store, found, known)
    if seed_problems or lock_problems:
        raise Invalid(seed_problems + lock_problems)
    if store and records is not None:
        keep_records(store, records)
    slugs = slugs if slugs is not None else SlugMemo()
    slugs.add(parsed)
    digests = records.digests() if records is not None else None  # what the placement compares
    return derive_site(archive, shown(metadata), slugs, last, lock, digests)


def placed(site: Site) -> str:
    """What the verbose line of the load stage says about placing the documents."""
    if site.patch is None:
        return ", all placed"
    return f", {len(site.patch.fresh):,} placed into the last build's order"


def theme_dirs(root: Path) -> tuple[list[Path], list[Path]]:
    """Templates and static files: the archive's own where it has them, over the project's."""
    templates = [d for d in (root / "templates", PROJECT / "templates") if d.is_dir()]
    static = [d for d in (PROJECT / "static", root / "static") if d.is_dir()]
    return list(dict.fromkeys(templates)), list(dict.fromkeys(static))


def write_files(
    outputs: list[Output], options: Options, settled: set[str], folders: set[str], memo: dict[str, Remembering]
) -> Written:
    """Write the site; a failed write is a problem to report, not a traceback."""
    from archive.write import write_site

    progress = options.verbosity > 0 and sys.stderr.isatty()
    with reported_if_not_written(options.out, "; the previous site is unchanged"):
        return write_site(outputs, options.out, options.jobs, progress, settled, folders, memo)


@contextlib.contextmanager
def reported_if_not_written(target: Path, after: str = "") -> Iterator[None]:
    """A failed write into `target` as a problem to report, not a traceback:
    `PATH: cannot write: WHY` and `after`, what the failure left."""
    try:
        yield
    except OSError as error:
        where = shown(Path(error.filename)) if error.filename else shown(target)
        why = "it is a file, where a folder is needed" if isinstance(error, FileExistsError) else error.strerror
        raise Invalid([Problem(where, 0, f"cannot write: {why}{after}")]) from None


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # every file is closed and every worker joined: no need to free the heap object by object
