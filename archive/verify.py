"""Verify: recompute every digest of a built site and name each file that differs from what the build wrote.

Three records say what a file's SHA-256 should be: the manifest (`.archive-manifest.json`,
every file the build wrote), `SHA256SUMS` (the raw copies) and `metadata.json` (each document's
`sha256`, for its raw copy). Every file any of them lists is read and digested once; each
record that disagrees is named. A listed file that is gone is a difference too. A file in the
folder that no record lists is reported, not counted as a difference: the build did not write
it (a host's own file, such as CNAME, or a file kept by a build whose manifest was damaged).

A record that cannot be read (no manifest, one of another version, a line of SHA256SUMS or
metadata.json that is not what the build writes) is a problem at its line, as bad input is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, NamedTuple

from .manifest import MANIFEST, MANIFEST_VERSION, inside_site
from .problems import Invalid, Problem, printable, shown

SUMS, METADATA = "SHA256SUMS", "metadata.json"
SOURCES = {MANIFEST: "the manifest", SUMS: SUMS, METADATA: METADATA}
"""Each record of digests, as a message names it."""
SUM_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


class Verified(NamedTuple):
    """What `verify_site` found."""

    differences: list[str]
    """`path: message` for each file that differs from a record, or is missing; sorted by path."""
    unlisted: list[str]
    """`path: message` for each file that no record lists (not a difference)."""
    checked: int
    """Files read and digested."""
    raw: int
    """Of those, files SHA256SUMS or metadata.json lists (the raw copies)."""


def verify_site(out: Path) -> Verified:
    """Every file the site's records list, digested and compared; Invalid when a record cannot be read."""
    claims: dict[str, dict[str, str]] = defaultdict(dict)
    problems: list[Problem] = []
    found = {MANIFEST: read_manifest(out)}
    for record, read in ((SUMS, read_sums), (METADATA, read_metadata)):
        if (out / record).is_file():
            found[record], wrong = read(out / record)
            problems += wrong
    for record, digests in found.items():
        for path, sha256 in digests.items():
            claims[path][record] = sha256
            if not inside_site(path):
                problems.append(
                    Problem(shown(out / record), 0, f"lists '{printable(path)}', not a path inside the site")
                )
    if problems:
        raise Invalid(problems)
    differences = [message for path in sorted(claims) if (message := compare(out, path, claims[path]))]
    listed = {*claims, MANIFEST}
    unlisted = [
        f"{shown(out / p)}: not in the manifest; not written by the build (not an error)"
        for p in files_in(out)
        if p not in listed
    ]
    raw = sum(1 for sources in claims.values() if sources.keys() - {MANIFEST})
    return Verified(differences, unlisted, len(claims), raw)


def compare(out: Path, path: str, claims: dict[str, str]) -> str:
    """The difference between a file and what the records say of it: "" when there is none."""
    try:
        actual = file_sha256(out / path)
    except FileNotFoundError:
        return f"{shown(out / path)}: missing; {listing(claims)} {'lists' if len(claims) == 1 else 'list'} it"
    except OSError as error:
        return f"{shown(out / path)}: cannot be read: {error.strerror}"
    wrong: dict[str, list[str]] = defaultdict(list)
    for source, sha256 in claims.items():
        if sha256.lower() != actual:
            wrong[sha256.lower()].append(source)
    said = "; ".join(
        f"{listing(sources)} {'says' if len(sources) == 1 else 'say'} {sha256}" for sha256, sources in wrong.items()
    )
    return f"{shown(out / path)}: changed: its SHA-256 is {actual}; {said}" if wrong else ""


def listing(sources: dict[str, str] | list[str]) -> str:
    """The records named, in a fixed order: `the manifest, SHA256SUMS and metadata.json`."""
    names = [SOURCES[source] for source in SOURCES if source in sources]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in blocks (a seed may be 64 MiB)."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def read_manifest(out: Path) -> dict[str, str]:
    """Each file the build wrote, with its SHA-256; Invalid when the manifest is missing, or not
    one this version reads."""
    path = out / MANIFEST
    where = shown(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        message = "no manifest: not a site this generator built, or not its root folder; name the site with --out"
        raise Invalid([Problem(where, 0, message)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise Invalid([Problem(where, 0, f"cannot be read: {getattr(error, 'strerror', None) or error}")]) from None
    data = parse_json(text, where)
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        version = data.get("version") if isinstance(data, dict) else None
        message = f"is of version {version!r}, not {MANIFEST_VERSION}: build the site again, then verify it"
        raise Invalid([Problem(where, 0, message)])
    paths, sha256 = data.get("paths"), data.get("sha256")
    if not (isinstance(paths, list) and isinstance(sha256, list) and len(paths) == len(sha256)):
        raise Invalid([Problem(where, 0, "is damaged: its paths and SHA-256 digests do not match up")])
    if not all(
        isinstance(p, str) and isinstance(s, str) and re.fullmatch("[0-9a-f]{64}", s)
        for p, s in zip(paths, sha256, strict=True)
    ):
        raise Invalid([Problem(where, 0, "is damaged: a path or a SHA-256 digest is not text of the right form")])
    return dict(zip(paths, sha256, strict=True))


def parse_json(text: str, where: str) -> Any:
    """JSON, or Invalid at the line where it stops being JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Invalid([Problem(where, error.lineno, f"is not JSON: {error.msg}")]) from None


def read_sums(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """What SHA256SUMS lists, and a problem at each line that is not a line `sha256sum -c` reads."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    data = path.read_bytes().decode("utf-8", "surrogateescape")
    for number, line in enumerate(data.split("\n"), 1):
        if not line and number == data.count("\n") + 1:
            break  # after the last line ending
        match = SUM_LINE.fullmatch(line)
        if match is None:
            message = "is not a line sha256sum -c reads: 64 hexadecimal digits, two spaces and a path"
            problems.append(Problem(shown(path), number, message))
            continue
        sha256, name = match.groups()
        found[name] = sha256
    return found, problems


def read_metadata(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """Each document's raw copy in metadata.json, with its `sha256`."""
    where = shown(path)
    try:
        data = parse_json(path.read_text("utf-8"), where)
    except Invalid as invalid:
        return {}, invalid.problems
    except (OSError, UnicodeDecodeError) as error:
        return {}, [Problem(where, 0, f"cannot be read: {getattr(error, 'strerror', None) or error}")]
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list) or not all(
        isinstance(d, dict) and isinstance(d.get("raw"), str) and isinstance(d.get("sha256"), str) for d in documents
    ):
        return {}, [Problem(where, 0, "is not the build's metadata.json: each of its documents needs raw and sha256")]
    return {d["raw"]: d["sha256"] for d in documents}, []


def files_in(out: Path) -> list[str]:
    """Every file under the site's folder, by its path from it, sorted."""
    found: list[str] = []
    for folder, _, names in os.walk(out):
        relative = os.path.relpath(folder, out).replace(os.sep, "/")
        found.extend(name if relative == "." else f"{relative}/{name}" for name in names)
    return sorted(found)
