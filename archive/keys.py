"""Keys: the short, stable digests that output keys and the memo's keys are made of.

Only the standard library here: every stage that names what something is made from uses them.
"""

from __future__ import annotations

import hashlib


def digest(*parts: object) -> str:
    """A short, stable digest of the parts: bytes and text as they are, anything else as its repr
    (a part of each kind at each place: the digests of 10,000 entries joined are not repr'd)."""
    hasher = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            hasher.update(part)
        else:
            hasher.update((part if isinstance(part, str) else repr(part)).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()[:32]


def page_key(*parts: str) -> str:
    """A short, stable digest of text parts (for the many keys computed on every build)."""
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
