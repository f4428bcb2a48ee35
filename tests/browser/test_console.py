"""Every page opens calmly: no console error or warning, no script error, no failed request.

From disk (file://) as someone opens a downloaded copy, and over http as a server serves it.
The pages' own Content-Security-Policy is in force here.
"""

from __future__ import annotations

import pytest

# After the load event a browser still fetches things: the site's icon, once per origin and
# browser, after the first page. The first page gets time for that, the others a moment.
SETTLE_FIRST_MS = 1000
SETTLE_MS = 100


@pytest.mark.parametrize("transport", ["file", "http"])
def test_pages_open_without_console_problems(site, transport, new_page, watcher, start_server):
    # A server of this test's own: a new origin, whose first visit nothing before has made.
    base = site.root.as_uri() + "/" if transport == "file" else start_server(site.root)
    page = new_page(viewport={"width": 1280, "height": 900})
    problems = watcher(page)
    for i, name in enumerate(site.pages):
        url = base + name
        response = page.goto(url, wait_until="load")
        assert response is None or response.ok, f"{url}: HTTP {response.status}"
        page.wait_for_timeout(SETTLE_MS if i else SETTLE_FIRST_MS)
        styled = page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position")
        assert styled == "absolute", f"{url}: the stylesheet did not apply"
    assert not problems, f"{len(problems)} problems ({transport}):\n" + "\n".join(problems)
