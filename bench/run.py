#!/usr/bin/env python3
"""`make bench`: our build timed against Hugo and a pure-Python floor, at 1k, 10k and 50k documents.

    .venv/bin/python bench/run.py                  # 1,000, 10,000 and 50,000 documents
    .venv/bin/python bench/run.py --quick          # 1,000 only
    .venv/bin/python bench/run.py --sizes 1000,10000 --repeats 3 --fs tmpfs
    .venv/bin/python bench/run.py --like-for-like ...  # ours makes only what 573b4fb made

A benchmark, not a test: it prints a Markdown table and writes it to bench/results.md.

For each size it generates (once, then reuses) a synthetic archive with
../shared/bench/gen_corpus.py, and for each output file system (tmpfs and the ext4 disk)
it runs rounds of whole-process builds, each round alternating our build with Hugo's and with
the pure-Python floor (../shared/bench/build.sh hugo|floor):

    our clean build, Hugo's clean build, the floor's clean build     (fresh output folders)
    no change; add one document (then Hugo's full rebuild with the same document added);
    edit one record; change one template                              (our incremental builds)

Each round adds the next of the documents the corpus puts aside, so there are at most 5 rounds.

Wall time is time.perf_counter around fork/exec and wait; CPU time (user + sys) and peak RSS
(the largest single process, as GNU time reports it) come from os.wait4. Files written are
counted from the output tree (a file is written when it is new or its mtime, size or inode
changed) and checked against our build's summary line. Medians over rounds, and medians of
the ratios taken round by round, since the machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SHARED = PROJECT.parent / "shared" / "bench"
SIZES = (1_000, 10_000, 50_000)
EXTRA = 5
"""Documents gen_corpus.py --extra puts aside for the add-one rounds (used in turn)."""
CODE = ("build.py", "archive", "templates", "static")
"""What of the project a build runs: snapshotted once, so edits made during a run don't count."""
SUMMARY = re.compile(r"built ([\d,]+) pages: ([\d,]+) files written, ([\d,]+) unchanged, ([\d,]+) removed in")
BOOKKEEPING = {".archive-manifest.json"}
"""Files our build writes that its summary line does not count."""

# The rows of the table, in order: (key, label).
ROWS = [
    ("hugo", "Hugo: clean build"),
    ("floor", "floor: clean build"),
    ("clean", "ours: clean build"),
    ("nochange", "ours: no-change rebuild"),
    ("add", "ours: add one document"),
    ("hugo_add", "Hugo: add one (full rebuild)"),
    ("edit", "ours: edit one record"),
    ("template", "ours: change one template"),
]
INCREMENTAL = ("nochange", "add", "edit", "template")


class BenchError(Exception):
    """A step failed: the message says which command and carries its stderr."""


# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class Sample:
    """One timed process."""

    wall: float
    """Seconds, fork to reaped exit."""
    cpu: float
    """User + system seconds of the process and its children."""
    peak_mib: float
    """Largest resident set of any single process of the build (ru_maxrss)."""
    written: int = 0
    """Files new or changed in the output tree afterwards."""
    removed: int = 0
    """Files gone from the output tree afterwards."""
    output_mb: float = 0.0
    """Apparent size of the output tree (clean builds)."""
    changed: tuple[str, ...] = ()
    """The written paths (incremental builds only)."""
    note: str = ""
    """Anything odd: a summary line that disagrees with the tree, unexpected files."""


@dataclass
class Setting:
    """One size on one file system: where everything lives and what the rounds measured."""

    n: int
    fs: str
    """'tmpfs' or 'disk'."""
    base: Path
    """Scratch folder on that file system for the outputs of this size."""
    root: Path
    """Our archive root: seeds hard-linked from the corpus, its own metadata.yaml."""
    hugo_site: Path
    rounds: list[dict[str, Sample]] = field(default_factory=list)


@dataclass(frozen=True)
class Tools:
    """The commands: our build (a snapshot of the project), and the shared bench scripts."""

    python: str
    code: Path
    shared: Path
    env: dict[str, str]
    only: tuple[str, ...] = ()
    """The producers our build keeps (see ONLY); () for all."""
    unsplit: bool = False
    """With `only`: no listing is split into parts (see ONLY)."""

    def ours(self, root: Path, out: Path) -> list[str]:
        if self.only:
            only = [self.python, "-c", ONLY, str(self.code), ",".join(self.only), "unsplit" * self.unsplit]
            return [*only, "--root", str(root), "--out", str(out)]
        return [self.python, str(self.code / "build.py"), "--root", str(root), "--out", str(out)]

    def hugo(self, site: Path, out: Path) -> list[str]:
        return ["sh", str(self.shared / "build.sh"), "hugo", str(site), str(out)]

    def floor(self, root: Path, out: Path) -> list[str]:
        return ["sh", str(self.shared / "build.sh"), "floor", str(root), str(out)]


LIKE_FOR_LIKE = ("index", "about", "documents", "titles", "aliases", "listings", "static", "metadata.json")
"""The producers whose outputs the code before the store (573b4fb) made (titles and aliases make
nothing on the synthetic corpus, which has no shared titles and no aliases)."""
ONLY = """
import os, sys
code, names, unsplit = sys.argv[1:4]
sys.path.insert(0, code)
import build
if unsplit:
    from archive import parts
    parts.LIMIT = parts.GROUP_LIMIT = 10**9
planned = build.build_site
def build_site(*args):
    from archive import outputs
    outputs.PRODUCERS[:] = [p for p in outputs.PRODUCERS if p.NAME in names.split(",")]
    return planned(*args)
build.build_site = build_site
status = build.main(sys.argv[4:])
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
"""
"""build.py with only some producers (CODE NAMES UNSPLIT ARGS...): the registry is cut down once
the no-change fast path has found work to do, so that a rebuild with nothing to do imports no
more. UNSPLIT, when not empty, makes every listing one page, as before listings were split
(see bench/compare.py --pages-of)."""


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Prepare, measure every size on every file system, report; 1 when a step fails."""
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="verbatim-bench-") as scratch:
        try:
            tools = prepare_tools(Path(scratch), args)
            bases = output_bases(args)
            check_space(args.sizes, args.cache, bases)
            settings = [s for n in args.sizes for s in measure_size(n, args, tools, bases)]
        except BenchError as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
        finally:
            for base in output_bases(args).values():
                shutil.rmtree(base, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    text = report(settings, args, minutes)
    print(text)
    if args.results:
        args.results.write_text(text, encoding="utf-8")
        print(f"written to {args.results}", file=sys.stderr)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=SIZES,
        help="comma-separated document counts (default 1000,10000,50000)",
    )
    parser.add_argument("--quick", action="store_const", dest="sizes", const=(1_000,), help="1,000 documents only")
    parser.add_argument("--repeats", type=int, help="rounds (default 5 on tmpfs, 3 on disk; 3 and 2 above 10,000)")
    parser.add_argument(
        "--fs",
        type=lambda s: tuple(s.split(",")),
        default=("tmpfs", "disk"),
        help="tmpfs,disk (default both)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=HERE / "cache",
        help="generated corpora and Hugo sites (default bench/cache)",
    )
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm"), help="a tmpfs folder for outputs")
    parser.add_argument("--disk", type=Path, default=Path("/var/tmp"), help="a folder on the disk for outputs")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared bench scripts (../shared/bench)")
    parser.add_argument("--rev", help="measure this git revision instead of the working tree")
    parser.add_argument(
        "--results",
        type=Path,
        default=HERE / "results.md",
        help="where to write the table ('' for nowhere)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds before one build counts as hung")
    parser.add_argument(
        "--like-for-like",
        action="store_true",
        help="our build makes only the outputs the code before the store made (LIKE_FOR_LIKE)",
    )
    args = parser.parse_args(argv)
    bad = [fs for fs in args.fs if fs not in ("tmpfs", "disk")]
    if bad or args.repeats is not None and not 1 <= args.repeats <= EXTRA:
        parser.error(f"--fs takes tmpfs,disk; --repeats 1 to {EXTRA} (one document added each)")
    args.results = args.results if str(args.results) not in ("", ".") else None
    args.cache = args.cache.resolve()
    return args


def sizes(text: str) -> tuple[int, ...]:
    """'1000,10k' -> (1000, 10000)."""
    values = [int(float(part.lower().replace("k", "e3").replace("_", ""))) for part in text.split(",") if part]
    if not values or min(values) < 3:
        raise argparse.ArgumentTypeError("sizes are document counts of at least 3")
    return tuple(sorted(set(values)))


def repeats_for(n: int, fs: str, args: argparse.Namespace) -> int:
    """Rounds: on tmpfs 5 up to 10,000 documents and 3 above; on the (slow) disk 3 and 2."""
    if args.repeats:
        return int(args.repeats)
    return (5 if n <= 10_000 else 3) if fs == "tmpfs" else (3 if n <= 10_000 else 2)


# ---------------------------------------------------------------- preparation


def prepare_tools(scratch: Path, args: argparse.Namespace) -> Tools:
    """Copy the shared scripts and a snapshot of our code into scratch; the floor's venv is ours."""
    if not (args.shared / "gen_corpus.py").is_file():
        raise BenchError(f"{args.shared}: no gen_corpus.py here (--shared names ../shared/bench)")
    if not shutil.which("hugo"):
        raise BenchError("hugo is not installed (apt-get install -y hugo)")
    shared = scratch / "shared-bench"
    ignore = shutil.ignore_patterns("venvs", "node_modules", "corpora", "work", "runs", "__pycache__")
    shutil.copytree(args.shared, shared, ignore=ignore)
    (scratch / "venvs").mkdir()
    (scratch / "venvs" / "base").symlink_to(Path(sys.prefix))  # build.sh floor: $BENCH_VENVS/base/bin/python
    code = scratch / "code"
    args.commit = run([*git(), "rev-parse", "--short", args.rev or "HEAD"]).decode().strip()
    args.dirty = not args.rev and bool(run([*git(), "status", "--porcelain", "--", *CODE]).strip())
    snapshot_code(code, args.commit if args.rev else None)
    env = dict(os.environ, BENCH_VENVS=str(scratch / "venvs"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    return Tools(sys.executable, code, shared, env, LIKE_FOR_LIKE if getattr(args, "like_for_like", False) else ())


def snapshot_code(dest: Path, rev: str | None) -> None:
    """build.py, archive/, templates/ and static/ as they are now (or at REV), compiled once."""
    dest.mkdir()
    if rev:
        tar = run([*git(), "archive", "--format=tar", rev, *CODE], cwd=PROJECT)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    else:
        for name in CODE:
            source = PROJECT / name
            if source.is_dir():
                shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.exists():
                shutil.copy2(source, dest / name)
    run([sys.executable, "-m", "compileall", "-q", str(dest)])


def git() -> list[str]:
    return ["git", "-C", str(PROJECT)]


def output_bases(args: argparse.Namespace) -> dict[str, Path]:
    """One scratch folder per output file system, named after this process."""
    folders = {"tmpfs": args.tmpfs, "disk": args.disk}
    return {fs: folders[fs] / f"verbatim-bench-{os.getpid()}" for fs in args.fs}


def check_space(ns: tuple[int, ...], cache: Path, bases: dict[str, Path]) -> None:
    """Refuse to start on the wrong file system or where the outputs or corpora would not fit."""
    largest = max(ns)
    for fs, base in bases.items():
        kind = fs_type(base.parent)
        if (fs == "tmpfs") != (kind == "tmpfs"):
            wanted = "tmpfs" if fs == "tmpfs" else "a disk"
            raise BenchError(f"{base.parent} is {kind}, not {wanted} (--{fs} DIR)")
        outputs = largest * 80_000  # ours twice (~22 KB a document each), Hugo's, the floor's
        if shutil.disk_usage(base.parent).free < outputs:
            raise BenchError(f"{base.parent}: needs about {outputs / 1e9:.1f} GB free for outputs")
    cache.mkdir(parents=True, exist_ok=True)
    missing = sum(n for n in ns if not (cache / f"c{n}").is_dir())
    need = missing * 30_000 + 1e9  # the corpus and Hugo's copy of it, ~12 KB a document each
    if shutil.disk_usage(cache).free < need:
        raise BenchError(f"{cache}: needs about {need / 1e9:.1f} GB free for corpora, Hugo sites")


def fs_type(path: Path) -> str:
    """The type of the file system that holds path, from /proc/mounts."""
    path = path.resolve()
    best, kind = "", "unknown"
    with open("/proc/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            _, point, fstype = line.split()[:3]
            inside = str(path) == point or str(path).startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, fstype
    return kind


def corpus(n: int, cache: Path, tools: Tools) -> Path:
    """The corpus of n documents (+ EXTRA aside), generated once into the cache."""
    path = cache / f"c{n}"
    if not path.is_dir():
        partial = cache / f"c{n}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        started = time.perf_counter()
        gen = [tools.python, str(tools.shared / "gen_corpus.py"), str(n), str(partial)]
        run([*gen, "--archive", "--extra", str(EXTRA)])
        partial.rename(path)
        log(f"generated {n:,} documents in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def hugo_site(n: int, source: Path, cache: Path, tools: Tools) -> Path:
    """Hugo's input (prepare.py hugo), made once; documents a killed run left in it removed."""
    site = cache / f"hugo-{n}"
    done = cache / f"hugo-{n}.complete"
    if not done.exists():
        started = time.perf_counter()
        run([tools.python, str(tools.shared / "prepare.py"), "hugo", str(source), str(site)])
        done.touch()
        log(f"prepared Hugo's site in {time.perf_counter() - started:.1f} s -> {site}")
    for pending in pending_dirs(site):
        for added in pending_files(pending):
            (site / added).unlink(missing_ok=True)
    return site


def our_root(n: int, source: Path, cache: Path, tools: Tools) -> Path:
    """A fresh archive root for our build: the corpus's seeds hard-linked, metadata.yaml copied."""
    root = cache / "work" / f"root-{n}"
    root.parent.mkdir(exist_ok=True)
    run([tools.python, str(tools.shared / "prepare.py"), "corpus", str(source), str(root)])
    return root


def pending_dirs(site: Path) -> list[Path]:
    """SITE.pending/NNN/: the documents prepare.py put aside, in order."""
    pending = site.parent / f"{site.name}.pending"
    return sorted(p for p in pending.iterdir() if p.is_dir()) if pending.is_dir() else []


def pending_files(pending: Path) -> list[str]:
    """The files (relative to the site) one pending document adds; *.append files excluded."""
    return sorted(str(p.relative_to(pending)) for p in pending.rglob("*") if p.is_file() and p.suffix != ".append")


# ---------------------------------------------------------------- one size


def measure_size(n: int, args: argparse.Namespace, tools: Tools, bases: dict[str, Path]) -> Iterator[Setting]:
    """Every round for n documents, on each file system in turn."""
    source = corpus(n, args.cache, tools)
    site = hugo_site(n, source, args.cache, tools)
    for fs, base in bases.items():
        root = our_root(n, source, args.cache, tools)
        setting = Setting(n, fs, base / f"n{n}", root, site)
        setting.base.mkdir(parents=True)
        started = time.perf_counter()
        try:
            measure_setting(setting, repeats_for(n, fs, args), tools, args.timeout)
        finally:
            shutil.rmtree(setting.base, ignore_errors=True)
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(root.parent / f"{root.name}.pending", ignore_errors=True)
            hugo_site(n, source, args.cache, tools)
        took = time.perf_counter() - started
        log(f"{n:,} documents on {fs}: {len(setting.rounds)} rounds in {took:.0f} s")
        yield setting


def measure_setting(s: Setting, repeats: int, tools: Tools, timeout: float) -> None:
    """Warm the caches, then the rounds."""
    # The archive's own templates/ override the project's: the template round edits this copy.
    shutil.copytree(tools.code / "templates", s.root / "templates")
    warm_up(s, tools)
    rounds = Rounds(s, tools, timeout)
    for r in range(repeats):
        s.rounds.append(rounds.one(r))
        log(
            f"  {s.n:,} {s.fs} round {r + 1}/{repeats}: "
            + ", ".join(f"{k} {v.wall:.2f}s" for k, v in s.rounds[-1].items())
        )


def warm_up(s: Setting, tools: Tools) -> None:
    """Untimed: every input read once (so no round reads the disk), both programs started."""
    for folder in (s.root, s.hugo_site):
        for path in folder.rglob("*"):
            if path.is_file():
                path.read_bytes()
    run([tools.python, "-c", "import jinja2, yaml, markdown_it, slugify"])
    run(["hugo", "version"])


class Rounds:
    """One round: three clean builds side by side, then our incremental builds on a kept output.

    The first round's clean builds (ours and Hugo's) are the outputs the later builds update.
    """

    def __init__(self, s: Setting, tools: Tools, timeout: float) -> None:
        self.s, self.tools, self.timeout = s, tools, timeout
        self.ours, self.hugo = s.base / "ours" / "out", s.base / "hugo" / "out"
        self.state: dict[str, tuple[int, int, int]] = {}
        self.metadata = s.root / "metadata.yaml"
        self.template = s.root / "templates" / "document.html"
        self.template_text = self.template.read_text(encoding="utf-8")
        self.record = pick_record(self.metadata.read_text(encoding="utf-8"), s.n // 2)

    def one(self, r: int) -> dict[str, Sample]:
        s, tools = self.s, self.tools
        keep_ours, keep_hugo = (self.ours, self.hugo) if r == 0 else (None, None)
        found = {
            "clean": self.clean(lambda out: tools.ours(s.root, out), keep_ours, ours=True),
            "hugo": self.clean(lambda out: tools.hugo(s.hugo_site, out), keep_hugo),
            "floor": self.clean(lambda out: tools.floor(s.root, out)),
            "nochange": self.incremental(lambda: None),
        }
        found["add"] = self.incremental(lambda: add_document(s.root, r), expect_add=True)
        found["hugo_add"] = self.hugo_add(r)
        found["edit"] = self.incremental(lambda: edit_record(self.metadata, self.record, r))
        found["template"] = self.incremental(
            lambda: self.template.write_text(touch_template(self.template_text, r), encoding="utf-8")
        )
        return found

    def clean(self, command: Callable[[Path], list[str]], keep: Path | None = None, ours: bool = False) -> Sample:
        """A build into a fresh folder (its cache beside it fresh too), removed afterwards
        unless it is to be kept for the incremental builds."""
        out = keep or Path(tempfile.mkdtemp(dir=self.s.base)) / "out"
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            sample, stdout = timed(command(out), self.tools, self.timeout)
            files = tree(out)
            size = sum(meta[1] for meta in files.values()) / 1e6
        finally:
            if not keep:
                shutil.rmtree(out.parent, ignore_errors=True)
        if keep == self.ours:
            self.state = files
        note = summary_mismatch(stdout, list(files), 0) if ours else ""
        return Sample(sample.wall, sample.cpu, sample.peak_mib, len(files), 0, size, note=note)

    def incremental(self, change: Callable[[], object], expect_add: bool = False) -> Sample:
        """Change the input, rebuild into the kept output, and see which files the build wrote."""
        change()
        sample, stdout = timed(self.tools.ours(self.s.root, self.ours), self.tools, self.timeout)
        after = tree(self.ours)
        written = sorted(p for p, meta in after.items() if self.state.get(p) != meta)
        removed = [p for p in self.state if p not in after]
        self.state = after
        notes = [summary_mismatch(stdout, written, len(removed))]
        if expect_add:
            unexpected = unexpected_for_add(written)
            notes.append(f"unexpected: {', '.join(unexpected)}" if unexpected else "")
        note = "; ".join(n for n in notes if n)
        return Sample(
            sample.wall,
            sample.cpu,
            sample.peak_mib,
            len(written),
            len(removed),
            changed=tuple(written),
            note=note,
        )

    def hugo_add(self, k: int) -> Sample:
        """The same document added to Hugo's site, and Hugo's full rebuild into its kept output.

        (The added documents stay until this size and file system are done; hugo_site() then
        takes them out.)
        """
        add_document(self.s.hugo_site, k)
        sample, _ = timed(self.tools.hugo(self.s.hugo_site, self.hugo), self.tools, self.timeout)
        return sample


def add_document(site: Path, k: int) -> None:
    """Bring in put-aside document k (prepare.py's SITE.pending/NNN/), as add_one.sh does:
    copy its files, append its *.append files (the record for metadata.yaml)."""
    pending = pending_dirs(site)
    if k >= len(pending):
        raise BenchError(f"{site}: only {len(pending)} documents put aside for the add-one rounds")
    for rel in pending_files(pending[k]):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pending[k] / rel, site / rel)
    for append in sorted(pending[k].rglob("*.append")):
        with open(site / append.relative_to(pending[k]).with_suffix(""), "ab") as out:
            out.write(append.read_bytes())


def pick_record(metadata: str, index: int) -> tuple[str, str]:
    """The file name and title of the record of document `index` (gen_corpus.py's layout)."""
    match = re.search(rf'^  ({index:05d}_[0-9a-f]{{16}}\.txt):\n    title: (".*")$', metadata, re.M)
    if not match:
        raise BenchError(f"metadata.yaml: no record for document {index} in the layout gen_corpus.py writes")
    return match.group(1), json.loads(match.group(2))


def edit_record(metadata: Path, record: tuple[str, str], r: int) -> None:
    """Give one record a new title (different every round), as an editor saving the file would."""
    name, title = record
    text = metadata.read_text(encoding="utf-8")
    pattern = rf"^(  {re.escape(name)}:\n    title: ).*$"
    new = json.dumps(f"{title} (revised {r + 1})", ensure_ascii=False)
    edited, count = re.subn(pattern, lambda m: m.group(1) + new, text, count=1, flags=re.M)
    if count != 1:
        raise BenchError(f"metadata.yaml: lost the record of {name}")
    metadata.write_text(edited, encoding="utf-8")


def touch_template(original: str, r: int) -> str:
    """document.html with an HTML comment in its last block, so that every document page changes.

    (Text after the last block of a template that extends another is never output.)
    """
    comment = f"<!-- bench: template changed, round {r + 1} -->\n"
    at = original.rfind("{% endblock %}")
    return original[:at] + comment + original[at:] if at >= 0 else original + comment


def unexpected_for_add(written: list[str]) -> list[str]:
    """Written files an added document does not explain.

    Expected: its page and raw copy, its two neighbours' pages, index.html and the index's part
    that lists it (index/PERIOD.html), its stance's and publisher's listings (a summary and a
    part each when split) and their index pages, timeline.html, metadata.json, metadata.csv,
    SHA256SUMS and the build's manifest; with every output on, also its three citation files
    (cite/), its text (texts/), the filter data's part that holds it (filters/) and at most
    SHARDS + 2 of the search index's files (search/: the shards its bucket's terms fall in, its
    document table and meta.js). (A period cut into numbered parts has its later parts
    rewritten too; the corpora here have none.)
    """
    fixed = {"index.html", "metadata.json", "metadata.csv", "SHA256SUMS", "timeline.html", ".archive-manifest.json"}
    limits = {
        "documents": 3,
        "raw": 1,
        "index": 1,
        "stances": 3,
        "publishers": 3,
        "cite": 3,
        "texts": 1,
        "filters": 1,
        "search": 64 + 2,
    }
    counts: dict[str, int] = {}
    unexpected = []
    for path in written:
        folder = path.split("/", 1)[0] if "/" in path else ""
        counts[folder] = counts.get(folder, 0) + 1
        if path not in fixed and counts[folder] > limits.get(folder, 0):
            unexpected.append(path)
    return unexpected


def summary_mismatch(stdout: str, written: list[str], removed: int) -> str:
    """'' when our summary line agrees with the output tree (bookkeeping aside), else both."""
    match = SUMMARY.search(stdout)
    if not match:
        return "no summary line"
    said_written, said_removed = (int(match.group(i).replace(",", "")) for i in (2, 4))
    site_files = sum(1 for path in written if path not in BOOKKEEPING)
    if (said_written, said_removed) != (site_files, removed):
        return (
            f"summary says {said_written:,} written, {said_removed:,} removed; "
            f"the tree shows {site_files:,} and {removed:,}"
        )
    return ""


# ---------------------------------------------------------------- processes


def timed(command: list[str], tools: Tools, timeout: float) -> tuple[Sample, str]:
    """Run one build as a process; its wall, CPU and peak RSS, and its stdout. Failure aborts."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=tools.env)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: leave no build running behind us
            process.kill()
            process.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode != 0:
        why = f"killed after {timeout:.0f} s" if wall >= timeout else f"exit status {process.returncode}"
        raise BenchError(f"{why}: {shlex.join(command)}\n{stderr.rstrip()}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), stdout


def run(command: list[str], cwd: Path | None = None) -> bytes:
    """An untimed helper command; failure aborts with its stderr."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").rstrip()
        raise BenchError(f"exit status {done.returncode}: {shlex.join(command)}\n{stderr}")
    return done.stdout


def tree(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under folder: relative path -> (mtime_ns, size, inode)."""
    found: dict[str, tuple[int, int, int]] = {}
    stack = [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[os.path.relpath(entry.path, folder)] = (
                        st.st_mtime_ns,
                        st.st_size,
                        st.st_ino,
                    )
    return found


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- report


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(s: Setting, key: str, against: str, what: str = "wall") -> float:
    """The median, over rounds, of each round's ratio of key to against."""
    pairs = [(getattr(r[key], what), getattr(r[against], what)) for r in s.rounds]
    return median([mine / theirs for mine, theirs in pairs if theirs > 0])


def stat(s: Setting, key: str, what: str) -> float:
    """The median over rounds."""
    return median([getattr(r[key], what) for r in s.rounds])


def secs(x: float) -> str:
    """Three significant figures or so, trailing zeros kept."""
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def times(x: float) -> str:
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}"


def spread(values: list[int]) -> str:
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


AGAINST_HUGO = {"add": "hugo_add", "hugo_add": None, "hugo": None}
"""What each row's × Hugo divides by (Hugo's clean build unless named here)."""


def table(settings: list[Setting]) -> list[str]:
    """The main table: one line per build per size per file system."""
    lines = [
        "| N | output on | build | wall s | CPU s | peak MiB | files written "
        "| × Hugo | × floor | × our clean | peak × Hugo |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in settings:
        for key, label in ROWS:
            against = AGAINST_HUGO.get(key, "hugo")
            ours = key not in ("hugo", "hugo_add", "floor")
            cells = [
                f"{s.n:,}",
                s.fs,
                label,
                secs(stat(s, key, "wall")),
                secs(stat(s, key, "cpu")),
                f"{stat(s, key, 'peak_mib'):.0f}",
                spread([r[key].written for r in s.rounds]) if key != "hugo_add" else "all",
                times(ratio(s, key, against)) if against else "",
                times(ratio(s, key, "floor")) if key != "floor" else "",
                times(ratio(s, key, "clean")) if key in INCREMENTAL else "",
                times(ratio(s, key, "hugo", "peak_mib")) if ours else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(settings: list[Setting]) -> list[str]:
    """PASS/FAIL of the issue's figures at each size measured on tmpfs (they are set at 10,000)."""
    rows = [s for s in settings if s.fs == "tmpfs"]
    if not rows:
        return ["(the targets are measured on tmpfs, and this run had no tmpfs rounds)"]
    checks: list[tuple[str, Callable[[Setting], tuple[bool, str]]]] = [
        (
            "clean build ≤ 1.0× Hugo's clean build (wall)",
            lambda s: at_most(s, "clean", "hugo", 1.0),
        ),
        (
            "clean build peak memory ≤ 0.5× Hugo's",
            lambda s: at_most(s, "clean", "hugo", 0.5, "peak_mib"),
        ),
        (
            "add one document ≤ 0.15× Hugo's full rebuild",
            lambda s: at_most(s, "add", "hugo_add", 0.15),
        ),
        ("add one writes only the expected files", expected_only),
        (
            "no-change rebuild ≤ 0.05× our clean build",
            lambda s: at_most(s, "nochange", "clean", 0.05),
        ),
        ("no-change rebuild writes 0 files", writes_nothing),
    ]
    lines = [
        "| target (output on tmpfs; set at 10,000 documents) | " + " | ".join(f"{s.n:,}" for s in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    for name, check in checks:
        cells = [f"{'PASS' if ok else '**FAIL**'} {shown}" for ok, shown in map(check, rows)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def at_most(s: Setting, key: str, against: str, most: float, what: str = "wall") -> tuple[bool, str]:
    value = ratio(s, key, against, what)
    return value <= most, f"{times(value)}×"


def expected_only(s: Setting) -> tuple[bool, str]:
    unexpected = sorted({r["add"].note for r in s.rounds if "unexpected" in r["add"].note})
    shown = f"{spread([r['add'].written for r in s.rounds])} files"
    return not unexpected, shown + (f" ({'; '.join(unexpected)[:300]})" if unexpected else "")


def writes_nothing(s: Setting) -> tuple[bool, str]:
    touched = [r["nochange"].written + r["nochange"].removed for r in s.rounds]
    return max(touched) == 0, f"{spread(touched)} files"


def slopes(settings: list[Setting]) -> list[str]:
    """Per-page slope between sizes and the fixed start-up, with a straight line to 1,000,000."""
    lines: list[str] = []
    for fs in dict.fromkeys(s.fs for s in settings):
        points = sorted((s for s in settings if s.fs == fs), key=lambda s: s.n)
        if len(points) < 2:
            lines.append(f"\n(Output on {fs}: one size only, so no slope.)")
            continue
        spans = " | ".join(f"wall ms/page {a.n:,}→{b.n:,}" for a, b in zip(points, points[1:], strict=False))
        lines += [
            f"\nOutput on {fs}. Start-up = the time at {points[0].n:,} minus {points[0].n:,} pages "
            f"at the first slope. The last three columns draw a line from {points[-1].n:,} "
            "to 1,000,000 documents at the last slope.\n",
            f"| build | {spans} | CPU ms/page (last) | start-up s | peak KiB/page (last) "
            "| output KB/page | 1M: wall s | 1M: peak GiB | 1M: output GB |",
            "|---|" + "---:|" * (len(points) + 6),
        ]
        lines += [slope_row(points, key, label) for key, label in ROWS if key != "hugo_add"]
    return lines


def slope_row(points: list[Setting], key: str, label: str) -> str:
    """One build's line of the growth table."""
    ns = [s.n for s in points]
    walls, cpus, peaks = ([stat(s, key, what) for s in points] for what in ("wall", "cpu", "peak_mib"))
    per = [(walls[i + 1] - walls[i]) / (ns[i + 1] - ns[i]) for i in range(len(ns) - 1)]
    cpu_per = (cpus[-1] - cpus[-2]) / (ns[-1] - ns[-2])
    peak_per = (peaks[-1] - peaks[-2]) / (ns[-1] - ns[-2])
    startup = walls[0] - ns[0] * per[0]
    kb_per_page = stat(points[-1], key, "output_mb") * 1e3 / ns[-1]
    rest = 1_000_000 - ns[-1]
    cells = [
        label,
        *(f"{p * 1e3:.3f}" for p in per),
        f"{cpu_per * 1e3:.3f}",
        f"{round(startup, 2) + 0.0:.2f}",
        f"{peak_per * 1024:.2f}",
        f"{kb_per_page:.1f}" if kb_per_page else "",
        secs(walls[-1] + rest * max(per[-1], 0.0)),
        f"{(peaks[-1] + rest * max(peak_per, 0.0)) / 1024:.1f}",
        f"{kb_per_page:.0f}" if kb_per_page else "",
    ]
    return "| " + " | ".join(cells) + " |"


def written_detail(settings: list[Setting]) -> list[str]:
    """What our incremental builds wrote in the last round at the largest size, folder by folder."""
    s = max(settings, key=lambda s: (s.fs == "tmpfs", s.n))
    lines = [f"Last round at {s.n:,} documents, output on {s.fs}:\n"]
    for key, label in ROWS:
        if key in INCREMENTAL:
            sample = s.rounds[-1][key]
            groups: dict[str, int] = {}
            for path in sample.changed:
                folder = path.split("/", 1)[0] + "/" if "/" in path else path
                groups[folder] = groups.get(folder, 0) + 1
            shown = ", ".join(f"{folder} {count:,}" for folder, count in sorted(groups.items()))
            lines.append(f"- {label}: {shown or 'nothing'}; {sample.removed:,} removed")
    notes = sorted({f"{s.n:,} {s.fs}, {k}: {r[k].note}" for s in settings for r in s.rounds for k in r if r[k].note})
    return lines + (["\nNotes:\n", *(f"- {note}" for note in notes)] if notes else [])


def tools_info(args: argparse.Namespace) -> dict[str, str]:
    """Date, machine and versions, for the head of the results."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    hugo = run(["hugo", "version"]).decode().split()[1]
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {cpu}, "
        f"{mem / 1024**2:.1f} GiB RAM, Linux {platform.release()}",
        "versions": f"Python {platform.python_version()}, Hugo {hugo}, our build at {args.commit}"
        + (" with uncommitted changes" if args.dirty else ""),
        "outputs": f"tmpfs {args.tmpfs}; disk {args.disk} ({fs_type(args.disk)})",
    }


METHOD = """\
Whole processes, timed in rounds that alternate our build with Hugo's and the floor's. Each
figure is the median over rounds; each ratio is the median of the ratios taken round by round
(the machine is shared and noisy). × Hugo divides by Hugo's clean build of the same documents
(add one: by Hugo's full rebuild after the same addition; Hugo has no incremental mode); × floor
by `floor_py.py`'s clean build; × our clean by our clean build in the same round. Peak is the
largest single process's RSS (our worker processes share pages with their parent and are not
added up). Files written are counted in the output tree (new, or mtime, size or inode changed).
Hugo and the floor build only the bare pages and index; ours builds the whole site (pages, raw
copies, listings, about page, metadata.json). Each round adds one document to both sites, so file
counts grow by one a round. Changing one template puts an HTML comment inside document.html's last
block (text after it would never be output), so that every document page changes."""


def report(settings: list[Setting], args: argparse.Namespace, minutes: float) -> str:
    """The whole Markdown report."""
    info = tools_info(args)
    rounds = ", ".join(f"{s.n:,} on {s.fs}: {len(s.rounds)}" for s in settings)
    head = [
        "# Benchmark: our build, Hugo and the pure-Python floor",
        "",
        f"- **Date:** finished {info['date']}; the whole run took {minutes:.1f} minutes "
        f"(`{shlex.join(['bench/run.py', *sys.argv[1:]])}`; `make bench` runs it with no options).",
        f"- **Machine:** {info['machine']}.",
        f"- **Versions:** {info['versions']}.",
        f"- **Outputs:** {info['outputs']}. Rounds: {rounds}.",
        "",
        METHOD,
        "",
    ]
    return (
        "\n".join(
            [
                *head,
                *table(settings),
                "\n## Targets\n",
                *targets(settings),
                "\n## Growth",
                *slopes(settings),
                "\n## Files written by our incremental builds\n",
                *written_detail(settings),
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())
