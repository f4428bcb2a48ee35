"""bag.zip: the archive as a zipped BagIt bag, in the site, when `archive.bag_in_site` is true.

The same bag as `python build.py bag FILE.zip` makes (see archive/bag.py), its top folder
`bag/`. Its key digests every seed's name and SHA-256 and the bytes of every metadata file:
any edit to the archive makes it again, so it suits archives small enough to carry whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from ..bag import bag_bytes, metadata_files
from ..keys import digest
from ..namelock import lock_after
from ..render import Output, Planning

NAME = "bag.zip"
VERSION = 2
PATH = "bag.zip"
"""Where the bag is in the site (the about page links to it)."""


def plan(planning: Planning) -> Iterable[Output]:
    """One file, only when the setting asks for it."""
    archive = planning.site.archive
    if not archive.bag_in_site:
        return
    root = planning.seeds_dir.parent
    metadata = [f"{path.relative_to(root).as_posix()}\0{sha256_of(path)}" for path in metadata_files(root)]
    seeds = [f"{name}\0{seed.sha256}" for name, seed in sorted(archive.seeds.items())]
    lock = lock_after(planning.site)[0]  # as this build leaves it, so that a clean build makes the same bag
    locked = hashlib.sha256(lock).hexdigest() if lock is not None else "no names.lock"
    key = planning.key(NAME, VERSION, planning.theme.code, digest(archive.title, *metadata, *seeds, locked))
    yield Output(PATH, key, lambda: bag_bytes(PATH.removesuffix(".zip"), root, archive, lock))


def sha256_of(path: Path) -> str:
    """A metadata file's SHA-256 (its bytes go in the bag as they are)."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
