"""The archive as a BagIt bag (RFC 8493), zipped the same way every time.

The bag holds, under `data/`, the archive's input as it is on disk: `metadata.yaml`, every
file of `metadata/` (`*.yaml`, `*.yml`, names starting with `.` left out), `names.lock` as a
build of the archive leaves it (the file as it is, with the names a build would add now), every
seed under `seeds/` byte for byte, and `SHA256SUMS` of the seeds (run `sha256sum -c SHA256SUMS` in
`data/`). Beside it, as the standard asks: `bagit.txt`, `bag-info.txt` (the generator, the
archive's title and the Payload-Oxum; no Bagging-Date, which would make the bytes depend on the
day), `manifest-sha256.txt` and `tagmanifest-sha256.txt`.

The zip holds one folder named as the file is (`FILE.zip` -> `FILE/`), as RFC 8493's
serialization asks. Its entries are sorted, dated 1980-01-01 00:00, with permissions 0644 and
compressed at one level: the same input and file name give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

if TYPE_CHECKING:
    import zipfile

from . import GENERATOR, VERSION
from .files import read_file
from .model import Archive
from .problems import Invalid, Problem, shown
from .seeds import MAX_SEED_BYTES, SEED_FILE

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip entry can carry."""
PERMISSIONS = 0o100644 << 16
"""A regular file, readable by all, writable by its owner (Unix, in the entry's external attributes)."""
COMPRESSION_LEVEL = 6
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


class Payload(NamedTuple):
    """One file of the bag's payload."""

    path: str
    """Its path in the bag, under `data/`."""
    source: Path
    """Where it is read from."""
    sha256: str = ""
    """Its SHA-256 when known beforehand (a seed's, from validation); "" when not."""
    size: int = 0
    """Its size when known beforehand (a seed's)."""


def metadata_files(root: Path) -> list[Path]:
    """metadata.yaml, then every `*.yaml` or `*.yml` file under `metadata/` (at any depth; hidden
    names left out), sorted."""
    found = [root / "metadata.yaml"]
    folder = root / "metadata"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root)
            hidden = any(part.startswith(".") for part in relative.parts)
            if not hidden and path.suffix in (".yaml", ".yml") and path.is_file():
                found.append(path)
    return found


LOCK_PATH = "data/names.lock"
"""Where the bag carries names.lock (see namelock.py)."""


def payload(root: Path, archive: Archive) -> list[Payload]:
    """What the bag carries: the metadata files, then the seeds (SHA256SUMS is made from them)."""
    files = [Payload("data/" + path.relative_to(root).as_posix(), path) for path in metadata_files(root)]
    seeds = sorted(archive.seeds.items())
    files += [Payload(f"data/seeds/{name}", Path(seed.path), seed.sha256, seed.size) for name, seed in seeds]
    return files


def write_bag(stream: BinaryIO, name: str, root: Path, archive: Archive, lock: bytes | None = None) -> None:
    """Write the zipped bag, its top folder `name`, to `stream`, every entry in the order of its
    path. The manifests are made first, from the seeds' SHA-256 as validated and the metadata
    files' bytes; a seed that changed since it was validated is a problem (Invalid) when it is
    read for the bag. `lock`: names.lock as the build of this archive leaves it (see
    namelock.lock_after), carried as `data/names.lock`; None: no such file."""
    import zipfile  # imported when a bag is made: a build that makes none need not load it

    files = payload(root, archive)
    known = {item.path: item.source.read_bytes() for item in files if not item.sha256}
    digests = {item.path: item.sha256 or hashlib.sha256(known[item.path]).hexdigest() for item in files}
    if lock is not None:
        known[LOCK_PATH] = lock
        digests[LOCK_PATH] = hashlib.sha256(lock).hexdigest()
    octets = sum(map(len, known.values())) + sum(item.size for item in files if item.sha256)
    seeds = [(item.path.removeprefix("data/"), item.sha256) for item in files if item.sha256]
    known["data/SHA256SUMS"] = sha256sums(seeds)
    digests["data/SHA256SUMS"] = hashlib.sha256(known["data/SHA256SUMS"]).hexdigest()
    known.update(tag_files(archive, digests, octets + len(known["data/SHA256SUMS"])))
    sources = {item.path: item for item in files if item.sha256}
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as bag:
        for path in sorted([*known, *sources]):
            add(bag, f"{name}/{path}", known[path] if path in known else read_seed(sources[path]))


def read_seed(item: Payload) -> bytes:
    """A seed's bytes, which must still be what was validated."""
    data = read_file(str(item.source), MAX_SEED_BYTES, SEED_FILE)
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise Invalid([Problem(shown(item.source), 0, "changed while the bag was being made; make it again")])
    return data


def sha256sums(listed: list[tuple[str, str]]) -> bytes:
    """A SHA256SUMS file's bytes from (path, hex SHA-256) pairs, in their order (the bag's, and the site's)."""
    return "".join(f"{sha256}  {path}\n" for path, sha256 in listed).encode("utf-8")


def tag_files(archive: Archive, manifest: dict[str, str], octets: int) -> dict[str, bytes]:
    """bagit.txt, bag-info.txt, manifest-sha256.txt and tagmanifest-sha256.txt."""
    title = " ".join(archive.title.split())
    info = (
        f"Bag-Software-Agent: {GENERATOR} {VERSION}\n"
        f"External-Description: {title}\n"
        f"Payload-Oxum: {octets}.{len(manifest)}\n"
    ).encode()
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": info, "manifest-sha256.txt": manifest_lines(manifest.items())}
    digests = ((path, hashlib.sha256(data).hexdigest()) for path, data in tags.items())
    tags["tagmanifest-sha256.txt"] = manifest_lines(digests)
    return tags


def manifest_lines(digests: Iterable[tuple[str, str]]) -> bytes:
    """A BagIt manifest: `HEX  PATH` a line, sorted by path; in a path, CR, LF and % are
    percent-encoded as RFC 8493 asks."""
    return "".join(f"{sha256}  {encoded(path)}\n" for path, sha256 in sorted(digests)).encode("utf-8")


def encoded(path: str) -> str:
    """A path as a BagIt manifest writes it."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def add(bag: zipfile.ZipFile, path: str, data: bytes) -> None:
    """One entry, with the fixed date and permissions."""
    import zipfile

    entry = zipfile.ZipInfo(path, ZIP_DATE)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = PERMISSIONS
    entry.create_system = 3  # Unix, whatever the system that writes it
    bag.writestr(entry, data, compresslevel=COMPRESSION_LEVEL)


def bag_bytes(name: str, root: Path, archive: Archive, lock: bytes | None = None) -> bytes:
    """The zipped bag as bytes (for the copy in the site)."""
    stream = io.BytesIO()
    write_bag(stream, name, root, archive, lock)
    return stream.getvalue()


def write_bag_file(target: Path, root: Path, archive: Archive, lock: bytes | None = None) -> int:
    """Write the zipped bag to `target` (its top folder named as the file is, without `.zip`),
    whole or not at all; its size."""
    temporary = target.with_name(f".{target.name}.archive-tmp")
    try:
        with open(temporary, "wb") as stream:
            write_bag(stream, target.name.removesuffix(".zip"), root, archive, lock)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target.stat().st_size
