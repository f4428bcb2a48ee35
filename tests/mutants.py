"""Deliberate one-line bugs in the incremental path, each of which the fast tests must catch.

    python tests/mutants.py [--jobs N] [NAME ...]      # or: make mutants

Each mutant is named by the behaviour it breaks and given as the text it replaces, which must
occur exactly once in its file, and the file must still compile with the bug in it: a mutant
that broke the module's syntax would be caught by any test that imports it, whatever the code
does (tests/test_mutants.py checks both on every test run, so a mutant that no longer applies
is written again against the code as it is). For each mutant
the script copies the project into a temporary folder, applies the bug there (the working tree
is never touched) and runs FAST_TESTS with CI set, as CI runs them. A mutant is caught when the
tests fail; the script ends with a table and exit status 1 when any mutant was missed or when
the unchanged copy does not pass.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

PROJECT = Path(__file__).resolve().parent.parent
FAST_TESTS = [
    "tests/test_scenarios.py",
    "tests/test_derive.py",
    "tests/test_incremental.py",
    "tests/test_output.py",
    "tests/test_faults.py",
    "tests/test_store.py",
    "tests/test_names_lock.py",
    "tests/test_catalogue.py",
    "tests/test_records.py",
]
"""The tests run against each mutant: everything about incremental builds that needs no browser
(the catalogue breaks a built site: the records it edits take the incremental path)."""


class Mutant(NamedTuple):
    """A one-line bug: in `file`, the text `old` (found exactly once) becomes `new`."""

    name: str
    file: str
    old: str
    new: str


MUTANTS = [
    Mutant(
        "a new document's neighbours are not refreshed",
        "archive/placement.py",
        "near.update(other.file for other in ordered[max(at - 1, 0) : at + 2])",
        "near.update(other.file for other in ordered[at : at + 1])",
    ),
    Mutant(
        "a new document's later neighbour is not refreshed",
        "archive/placement.py",
        "ordered[max(at - 1, 0) : at + 2]",
        "ordered[max(at - 1, 0) : at + 1]",
    ),
    Mutant(
        "the old neighbours of a removed or changed document are not refreshed",
        "archive/placement.py",
        "    for i in gone:\n        near.update(",
        "    for i in ():\n        near.update(",
    ),
    Mutant(
        "a removed document's later neighbour is not refreshed",
        "archive/placement.py",
        "for j in (i - 1, i + 1) if",
        "for j in (i - 1,) if",
    ),
    Mutant(
        "a document page's key ignores its neighbours",
        "archive/outputs/documents.py",
        "page_key(entries[i].page, salted, ordered[i], ordered[i + 1], ordered[i + 2])",
        "page_key(entries[i].page, salted, ordered[i + 1])",
    ),
    Mutant(
        "a changed document keeps the digest of its last version",
        "archive/render.py",
        "known[entry.doc.file] = entry_digest(entry)",
        "known.setdefault(entry.doc.file, entry_digest(entry))",
    ),
    Mutant(
        "the last page key of a document next to a change is reused",
        "archive/outputs/documents.py",
        "known.pop(file, None)",
        "known.get(file)",
    ),
    Mutant(
        "a removed document of a shared title leaves the others their suffixes",
        "archive/placement.py",
        "if any(shared_base(last.slugs[i]) is not None for i in gone):",
        "if False:",
    ),
    Mutant(
        "a new document named like an existing page takes its name",
        "archive/placement.py",
        "            return None  # the document's title collides with another's, or its name is claimed or locked",
        "            pass",
    ),
    Mutant(
        "a new document named like another's earlier name takes it",
        "archive/placement.py",
        "held.update(suffixed_bases(held), *filter(None, map(ALIASES, documents)))",
        "held.update(suffixed_bases(held))",
    ),
    Mutant(
        "a title shared by two documents names one of them after it",
        "archive/names.py",
        "if len(docs) == 1 and claims.get(base, docs[0]) is docs[0] and locked.get",
        "if claims.get(base, docs[0]) is docs[0] and locked.get",
    ),
    Mutant(
        "a title's name the lock gives another seed is taken",
        "archive/names.py",
        "is docs[0] and locked.get(base, docs[0].file) == docs[0].file:",
        "is docs[0]:",
    ),
    Mutant(
        "a document placed into the last order takes a name the lock gives another seed",
        "archive/placement.py",
        "if base in held or lock.seeds.get(base, doc.file) != doc.file:",
        "if base in held:",
    ),
    Mutant(
        "a document whose seed changed is placed as it was",
        "archive/placement.py",
        'made_from = map("{}\\0{}".format, map(records.__getitem__, files), map(SHA256, documents))',
        'made_from = map("{}\\0{}".format, map(records.__getitem__, files), map(FILE, documents))',
    ),
    Mutant(
        "a document whose record changed is placed as it was",
        "archive/placement.py",
        'made_from = map("{}\\0{}".format, map(records.__getitem__, files), map(SHA256, documents))',
        'made_from = map("{}\\0{}".format, map(str, files), map(SHA256, documents))',
    ),
    Mutant(
        "a removed document's claim on a name is forgotten",
        "archive/placement.py",
        "or any(last.claims[i] for i in gone):",
        "or any(False for i in gone):",
    ),
    Mutant(
        "a file no longer made is left in the site when as many are made",
        "archive/manifest.py",
        "if len(paths) - listed.count(-1) == len(before.paths):",
        "if len(paths) == len(before.paths):",
    ),
    Mutant(
        "a lock changed since the last build does not stop placing into its order",
        "archive/placement.py",
        "    if last.lock != lock.digest:\n        return None",
        "    if False:\n        return None",
    ),
    Mutant(
        "a listing's key ignores what its documents show",
        "archive/outputs/listings.py",
        'listed = "\\0".join(map(planning.digests.__getitem__, map(FILE_OF, group.entries)))',
        'listed = "\\0".join(map(FILE_OF, group.entries))',
    ),
    Mutant(
        "the index's key ignores what its documents show",
        "archive/outputs/index.py",
        'inputs = [digest("\\0".join(planning.digests.values()), months, summary)]',
        "inputs = [digest(months, summary)]",
    ),
    Mutant(
        "a producer's version is left out of its outputs' keys",
        "archive/render.py",
        "return page_key(producer, str(version), *inputs)",
        "return page_key(producer, *inputs)",
    ),
    Mutant(
        "a producer module's code is left out of the generator's digest",
        "archive/fingerprint.py",
        'return [*sorted(CODE.rglob("*.py")), CODE.parent / "build.py"]',
        'return [*sorted(CODE.glob("*.py")), CODE.parent / "build.py"]',
    ),
    Mutant(
        "a file the last build wrote and this one does not is left in the site",
        "archive/write.py",
        "        (out / path).unlink(missing_ok=True)\n        remove_empty_parents",
        "        pass\n        remove_empty_parents",
    ),
    Mutant(
        "a file deleted from the site is not made again",
        "archive/write.py",
        "return os.stat(out / output.path).st_size != sizes[output.path]",
        "return False",
    ),
    Mutant(
        "the files a killed build staged are left beside the site's",
        "archive/write.py",
        "        else:\n            os.unlink(temporary)",
        "        else:\n            pass",
    ),
    Mutant(
        "state of another version is believed",
        "archive/store.py",
        "if row is not None and row[0] == generator:",
        "if row is not None:",
    ),
    Mutant(
        "a damaged database is a crash, not a full build",
        "archive/store.py",
        "        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError):\n            self.refuse()",
        "        except ():\n            self.refuse()",
    ),
    Mutant(
        "what is no longer live stays in the store",
        "archive/store.py",
        "self.gone[kind] = self.keys(kind).difference(live, self.pending.get(kind, ()))",
        "self.gone[kind] = set()",
    ),
    Mutant(
        "a document's search terms are remembered by its file, not by its text",
        "archive/outputs/search.py",
        "texts = list(map(SHA256_OF, entries))",
        'texts = list(map(operator.attrgetter("doc.file"), entries))',
    ),
    Mutant(
        "what a worker process adds to the memo is lost",
        "archive/make.py",
        "                        memo[part].update(entries)",
        "                        pass",
    ),
    Mutant(
        "a chunk of records is remembered without what validating them depended on",
        "archive/records.py",
        "    return page_key(context, *texts)",
        "    return page_key(*texts)",
    ),
    Mutant(
        "the records of a chunk made again are parsed again, though remembered one by one",
        "archive/records.py",
        '    known = recall("records", digests.values()) if wanted else {}',
        "    known: dict[str, Any] = {}",
    ),
    Mutant(
        "a chunk of another shape in the store is made again but never written over",
        "archive/records.py",
        "Remembered(chunks, frozenset(made))",
        "Remembered(chunks, frozenset(made.keys() - found.keys()))",
    ),
    Mutant(
        "the records of a chunk gone stay in the store",
        "archive/memory.py",
        '            store.forget("records", {digest for chunk in chunks if fits_any(chunk) for digest in chunk[-1]})',
        "            pass",
    ),
    Mutant(
        "a seed edited since the last build is taken as it was",
        "archive/seeds.py",
        "return known is not None and trusted and known.stat == seed_stat(info)",
        "return known is not None",
    ),
    Mutant(
        "an edited record with an alias is composed without its events read",
        "archive/composing.py",
        'MAY_BE_REFUSED = re.compile("[*!]")',
        'MAY_BE_REFUSED = re.compile("[!]")',
    ),
    Mutant(
        "an edited record with a tag is composed without its events read",
        "archive/composing.py",
        'MAY_BE_REFUSED = re.compile("[*!]")',
        'MAY_BE_REFUSED = re.compile("[*]")',
    ),
]


def applied(mutant: Mutant, text: str) -> str:
    """The file's text with the bug in it; ValueError when its old text is not there exactly once."""
    found = text.count(mutant.old)
    if found != 1:
        raise ValueError(f"{mutant.file}: '{mutant.name}' no longer applies ({mutant.old!r} found {found} times)")
    return text.replace(mutant.old, mutant.new)


def copy_project(into: Path) -> Path:
    """The project's own files (no virtual environment, node modules or built site) in a fresh folder."""
    patterns = shutil.ignore_patterns(
        ".venv", "node_modules", ".git", "_site", "._site.cache", "__pycache__", ".*_cache"
    )

    def ignore(folder: str, names: list[str]) -> set[str]:
        bench_cache = {"cache"} if Path(folder) == PROJECT / "bench" else set()  # make bench's corpora
        return set(patterns(folder, names)) | bench_cache

    return Path(shutil.copytree(PROJECT, into / "project", ignore=ignore, symlinks=True))


def run_tests(project: Path, tests: list[str]) -> tuple[int, str]:
    """FAST_TESTS in the copy, as CI runs them: the exit status and the last line pytest printed."""
    environment = {**os.environ, "CI": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines[-1] if lines else done.stderr.strip()[-200:]


def try_mutant(mutant: Mutant | None, tests: list[str]) -> tuple[str, int, str, float]:
    """Run the tests against a copy with this bug (None: no bug); (name, status, last line, seconds)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
        project = copy_project(Path(folder))
        if mutant is not None:
            target = project / mutant.file
            target.write_text(applied(mutant, target.read_text("utf-8")), "utf-8")
        status, last = run_tests(project, tests)
    return (mutant.name if mutant else "no bug"), status, last, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only the mutants whose names contain one of these")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants tried at once")
    parser.add_argument("--tests", nargs="+", default=FAST_TESTS, help="the tests to run (default: FAST_TESTS)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.names or any(n in m.name for n in args.names)]
    for mutant in chosen:  # every mutant must apply before any is run
        applied(mutant, (PROJECT / mutant.file).read_text("utf-8"))
    name, status, last, seconds = try_mutant(None, args.tests)
    print(f"{'passes' if status == 0 else 'FAILS'}  {seconds:5.1f} s  {name}: {last}", flush=True)
    if status != 0:
        return 1
    missed = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for name, status, last, seconds in pool.map(lambda m: try_mutant(m, args.tests), chosen):
            outcome = "caught" if status == 1 else "MISSED" if status == 0 else f"ERROR {status}"
            missed += status != 1
            print(f"{outcome:<7} {seconds:5.1f} s  {name}: {last}", flush=True)
    print(f"{len(chosen) - missed} of {len(chosen)} mutants caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
