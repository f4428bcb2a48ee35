"""The address a site is published at (`--base-url`, `archive.base_url`): what it may be.

Every absolute address the site writes (canonical links, feeds, the sitemap, citations) is
this address followed by a page's path, so it must be a folder's address: an http or https
address with a host, no space, and no query or fragment, which the paths would land in.
Only the standard library: the command line checks it before anything heavy is imported.
"""

from __future__ import annotations

import urllib.parse

FOLDER_EXAMPLE = "https://example.org/archive/"


def site_address_problem(url: str) -> str | None:
    """What keeps an http:// or https:// address from being the one a site is published at, or None."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "is not an address"
    if not parts.netloc:
        return "has no host"
    if any(char.isspace() for char in url):
        return "holds a space; write spaces as %20"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"has a query or a fragment (? or #): the site's address is a folder's, such as {FOLDER_EXAMPLE}"
    return None
