"""`build.py serve`: the preview rebuilds on a change and tells the open pages, over real http.

Each test runs the preview in-process on 127.0.0.1, port 0, against the small archive of
conftest.py (one test runs `build.py serve` as a process and stops it with Ctrl-C). Tests of
what the watcher sees step it look by look (SteppedPreview) instead of waiting on the clock.
Every wait is for an event, bounded: a preview that never reacts fails the test, it does not
hang it.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from conftest import PROJECT, Archive, reported

import build
from archive import serve, server
from archive.cli import Options, Report
from archive.serve import Preview

WAIT = 30.0
"""The longest any one thing may take to happen: a guard against hanging, never a measure."""
SCRIPT_TAG = re.compile(rb'<script src="/__archive/reload\.js" data-build="[0-9a-f]+\.\d+"></script>\n')
WIDENED = b"; connect-src 'self'"
"""What the preview adds to a page's policy: every page allows its own scripts (`script-src 'self'`) already."""


def options(archive: Archive, port: int = 0, verbosity: int = 1) -> Options:
    return Options("serve", archive.root, archive.site, "", verbosity, port, 1)


@pytest.fixture
def builds() -> list[float]:
    """When each build of the preview started."""
    return []


@pytest.fixture
def preview(archive: Archive, builds: list[float]) -> Iterator[Preview]:
    """The preview of the small archive, running; stopped afterwards whatever happened."""
    running = start(archive, builds)
    yield running
    running.stop()


def start(archive: Archive, builds: list[float], kind: type[Preview] = Preview) -> Preview:
    def counted(options: Options) -> Report:
        builds.append(time.monotonic())
        return build.build(options)

    running = kind(options(archive), counted)
    running.start()
    return running


class SteppedPreview(Preview):
    """The preview with its watcher stepped by the test: each wait between two looks at the
    inputs lasts until the test lets it end, so what the watcher sees never depends on timing."""

    def __init__(self, options: Options, build: serve.Build) -> None:
        super().__init__(options, build)
        self.gate = threading.Condition()
        self.waits: list[float] = []
        """The seconds of each wait the watcher began: POLL or more while watching, SETTLE
        while a change settles."""
        self.ended = 0
        """The waits the test let end."""

    def pause(self, seconds: float) -> bool:
        with self.gate:
            self.waits.append(seconds)
            self.gate.notify_all()
            self.gate.wait_for(lambda: self.ended == len(self.waits) or self.stopping.is_set())
        return self.stopping.is_set()

    def stop(self) -> None:
        self.stopping.set()
        with self.gate:
            self.gate.notify_all()
        super().stop()

    def waiting(self) -> float:
        """Once the watcher waits again (having looked, and built if it was to): its seconds."""
        with self.gate:
            began = self.gate.wait_for(lambda: len(self.waits) > self.ended, WAIT)
            assert began, f"the watcher did not wait again within {WAIT} s"
            return self.waits[-1]

    def step(self) -> float:
        """Let the watcher look once more; the seconds of the wait it begins next."""
        self.waiting()
        with self.gate:
            self.ended += 1
            self.gate.notify_all()
        return self.waiting()


@pytest.fixture
def stepped(archive: Archive, builds: list[float]) -> Iterator[SteppedPreview]:
    """The preview of the small archive with its watcher stepped by the test."""
    running = start(archive, builds, SteppedPreview)
    assert isinstance(running, SteppedPreview)
    yield running
    running.stop()


def save(path: Path, text: str, second: int) -> None:
    """Write a file and give it its own modification time: a save of the same size within the
    clock's granularity would otherwise look unchanged to the watcher."""
    path.write_text(text, "utf-8")
    stamp = path.stat().st_mtime_ns + second * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def get(preview: Preview, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request, the path sent exactly as written."""
    connection = http.client.HTTPConnection("127.0.0.1", port(preview), timeout=WAIT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def port(preview: Preview) -> int:
    assert preview.server is not None
    return int(preview.server.server_address[1])


class Events:
    """A client of the preview's event stream, as the reload script is."""

    def __init__(self, preview: Preview) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port(preview), timeout=WAIT)
        self.connection.request("GET", "/__archive/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"

    def next(self) -> tuple[str, dict[str, Any]]:
        """The next event's name and data (comments and `retry` skipped)."""
        name, data = "", ""
        while True:
            line = self.response.readline().decode("utf-8")
            if not line:
                raise EOFError("the event stream ended")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data = line[len("data: ") :]
            elif not line and name:
                return name, json.loads(data)

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def events(preview: Preview) -> Iterator[Callable[[], Events]]:
    """Open event streams (the hello event already read); all closed afterwards."""
    opened: list[Events] = []

    def connect() -> Events:
        stream = Events(preview)
        assert stream.next()[0] == "hello"
        opened.append(stream)
        return stream

    yield connect
    for stream in opened:
        stream.close()


def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait up to WAIT seconds for check() to hold."""
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"not within {WAIT} s: {what}"
        time.sleep(0.02)


def page_of(archive: Archive, seed: str) -> str:
    documents = json.loads((archive.site / "metadata.json").read_text("utf-8"))["documents"]
    return "/" + str(next(doc["page"] for doc in documents if doc["file"] == seed))


def as_on_disk(served: bytes) -> bytes:
    """A served page with what the preview adds taken out again."""
    assert len(SCRIPT_TAG.findall(served)) == 1, "one reload script per page"
    return SCRIPT_TAG.sub(b"", served).replace(WIDENED, b"", 1)


# --- a change reaches the page ---------------------------------------------------------------


def test_editing_a_seed_changes_the_served_page(
    archive: Archive, preview: Preview, events: Callable[[], Events]
) -> None:
    page = page_of(archive, "a.txt")
    assert b"First document." in get(preview, page)[2]
    stream = events()
    archive.seed("a.txt", "Edited while serving.\n")
    assert stream.next() == ("reload", {"build": f"{preview.hub.token}.2", "problems": []})
    eventually(lambda: b"Edited while serving." in get(preview, page)[2], "the page shows the edit")
    assert b"First document." not in get(preview, page)[2]


def test_the_reload_script_is_only_in_what_is_served(archive: Archive, preview: Preview) -> None:
    pages = ["/index.html", page_of(archive, "b.txt"), "/about.html", "/stances/index.html", "/"]
    for path in pages:
        status, headers, served = get(preview, path)
        on_disk = (archive.site / (path.strip("/") or "index.html")).read_bytes()
        assert status == 200
        assert b"__archive" not in on_disk
        assert SCRIPT_TAG.search(served).end() == served.rindex(b"</body>")  # type: ignore[union-attr]
        assert as_on_disk(served) == on_disk, path
        csp = re.search(rb'http-equiv="Content-Security-Policy" content="([^"]*)"', served)
        assert csp is not None and csp[1].startswith(b"default-src 'none'")
        assert csp[1].endswith(b"form-action 'none'; script-src 'self'; connect-src 'self'")


def test_the_reload_script_is_a_file_that_writes_text_only(preview: Preview) -> None:
    status, headers, script = get(preview, "/__archive/reload.js")
    assert (status, headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert b'new EventSource("/__archive/events")' in script
    assert b"textContent" in script and b"innerHTML" not in script and b"eval" not in script


def test_a_burst_of_saves_gives_one_build(
    archive: Archive, stepped: SteppedPreview, builds: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each save lands while the watcher waits for the inputs to settle: one build, after the last."""
    monkeypatch.setattr(serve, "SETTLE_AT_MOST", 3600.0)  # however slowly the test goes
    stream = Events(stepped)
    assert stream.next()[0] == "hello"
    assert stepped.waiting() >= serve.POLL
    for count in range(10):
        save(archive.root / "seeds" / "b.txt", f"Saved {count} times.\n", count + 1)
        assert stepped.step() == serve.SETTLE, f"save {count}: the watcher saw no change, or built"
    assert len(builds) == 1
    assert stepped.step() >= serve.POLL, "nothing changed since the last look: built, and watching again"
    assert stream.next()[0] == "reload"
    assert len(builds) == 2, "the first build, then one for the burst"
    assert b"Saved 9 times." in get(stepped, page_of(archive, "b.txt"))[2]
    stream.close()


def test_editor_files_beside_a_seed_start_no_build(
    archive: Archive, stepped: SteppedPreview, builds: list[float]
) -> None:
    assert stepped.waiting() >= serve.POLL
    archive.seed(".a.txt.swp", b"\x00swap")
    archive.seed(".#a.txt", "lock")
    assert stepped.step() >= serve.POLL, "the watcher saw a change"
    assert stepped.step() >= serve.POLL
    assert len(builds) == 1


def test_the_names_a_build_locks_start_no_build_but_an_edit_of_the_lock_does(
    archive: Archive, stepped: SteppedPreview, builds: list[float]
) -> None:
    """A build that gives a new name adds it to names.lock: that write of its own is no change to
    build for (else the preview would build once more after each such build); an edit of the
    lock by anyone else is."""
    lock = archive.root / "names.lock"
    assert stepped.waiting() >= serve.POLL
    assert lock.read_text("utf-8").endswith("alpha\ta.txt\nbeta\tb.txt\n"), "the first build locked its names"
    assert stepped.step() >= serve.POLL
    assert len(builds) == 1
    save(archive.root / "seeds" / "c.txt", "Third.\n", 1)
    metadata = archive.root / "metadata.yaml"
    record = "  c.txt:\n    title: Gamma\n    publisher: P\n    date: 2022-01-01\n    stance: for\n"
    save(metadata, metadata.read_text("utf-8") + record, 1)
    assert stepped.step() == serve.SETTLE, "the watcher saw no change"
    assert stepped.step() >= serve.POLL
    assert len(builds) == 2
    assert lock.read_text("utf-8").endswith("beta\tb.txt\ngamma\tc.txt\n"), "the build locked the new name"
    assert stepped.step() >= serve.POLL and stepped.step() >= serve.POLL
    assert len(builds) == 2, "the build's own write of names.lock started another build"
    save(lock, lock.read_text("utf-8") + "# a comment\n", 2)
    assert stepped.step() == serve.SETTLE, "an edit of names.lock is a change"
    assert stepped.step() >= serve.POLL
    assert len(builds) == 3


# --- a refused build ------------------------------------------------------------------------


def test_a_refused_build_keeps_the_site_and_shows_the_problems(
    archive: Archive,
    preview: Preview,
    events: Callable[[], Events],
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = get(preview, "/index.html")[2]
    stream = events()
    metadata = (archive.root / "metadata.yaml").read_text("utf-8")
    archive.metadata(metadata.replace("stance: against", "stance: agains"))
    name, data = stream.next()
    assert name == "problems"
    # As the terminal shows them: every problem, then the summary.
    assert data["problems"] == [
        "metadata.yaml:21: documents.b.txt.stance: 'agains' is not one of: for, against (did you mean 'against'?)",
        "1 problem found; nothing was written.",
    ]
    assert get(preview, "/index.html")[2] == before
    hello = Events(preview)  # a page opened now gets them at once
    assert hello.next() == ("hello", data)
    hello.close()
    assert capsys.readouterr().err == "".join(f"{line}\n" for line in data["problems"])

    archive.metadata(metadata)
    assert stream.next() == ("reload", {"build": data["build"], "problems": []})
    eventually(lambda: get(preview, "/index.html")[2] == before, "the fixed site is served")


def test_a_first_build_refused_serves_a_page_that_waits_for_a_good_one(archive: Archive, builds: list[float]) -> None:
    metadata = (archive.root / "metadata.yaml").read_text("utf-8")
    archive.metadata("archive: [unclosed\n")
    running = start(archive, builds)
    try:
        status, headers, page = get(running, "/index.html")
        assert (status, headers["content-type"]) == (404, "text/html; charset=utf-8")
        assert SCRIPT_TAG.search(page)
        stream = Events(running)
        name, data = stream.next()
        assert (name, data["problems"]) == (
            "hello",
            [
                "metadata.yaml:2: YAML syntax error (column 1): did not find expected ',' or ']'",
                "1 problem found; nothing was written.",
            ],
        )
        archive.metadata(metadata)
        assert stream.next()[0] == "reload"
        assert get(running, "/index.html")[0] == 200
        stream.close()
    finally:
        running.stop()


def test_a_crash_of_the_build_is_reported_and_the_preview_goes_on(archive: Archive) -> None:
    attempts: list[int] = []

    def flaky(options: Options) -> Report:
        attempts.append(1)
        if len(attempts) == 2:
            raise RuntimeError("something of ours broke")
        return build.build(options)

    running = Preview(options(archive), flaky)
    running.start()
    try:
        stream = Events(running)
        assert stream.next()[0] == "hello"
        archive.seed("a.txt", "Once.\n")
        assert stream.next()[1]["problems"] == [
            "the build crashed (a bug of ours): RuntimeError: something of ours broke"
        ]
        archive.seed("a.txt", "Twice.\n")
        assert stream.next()[0] == "reload"
        stream.close()
    finally:
        running.stop()


# --- what is served, and how -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/../metadata.yaml",
        "/%2e%2e/metadata.yaml",
        "/..%2fmetadata.yaml",
        "/%2e%2e%2fmetadata.yaml",
        "/../seeds/a.txt",
        "/documents/../../metadata.yaml",
        "/raw/../../seeds/a.txt",
        "//etc/passwd",
        "/../../../../../../etc/passwd",
        "/..\\metadata.yaml",
        "/documents/%00",
        "/index.html%00.txt",
    ],
)
def test_nothing_outside_the_output_folder_is_served(preview: Preview, path: str) -> None:
    status, headers, body = get(preview, path)
    assert status in (403, 404)
    assert b"stance" not in body and b"root:" not in body


def test_content_types(archive: Archive, preview: Preview) -> None:
    expected = {
        "/index.html": "text/html; charset=utf-8",
        "/metadata.json": "application/json; charset=utf-8",
        "/metadata.csv": "text/csv; charset=utf-8",
        "/SHA256SUMS": "text/plain; charset=utf-8",
        "/static/style.css": "text/css; charset=utf-8",
        "/raw/a.txt": "text/plain; charset=utf-8",
        "/__archive/events": "text/event-stream; charset=utf-8",
    }
    for path, content_type in expected.items():
        status, headers, body = get(preview, path, "HEAD")
        assert (status, headers["content-type"], body) == (200, content_type, b""), path
        assert headers["cache-control"] == "no-store"
        assert headers["x-content-type-options"] == "nosniff"


def test_a_raw_copy_is_sent_byte_for_byte_with_its_encoding(archive: Archive, builds: list[float]) -> None:
    latin = "Caf\u00e9 cr\u00e8me, \u201cquoted\u201d.\n<script>not run</script></body>\n".encode("windows-1252")
    archive.seed("c.html", latin)
    metadata = (archive.root / "metadata.yaml").read_text("utf-8")
    archive.metadata(
        metadata + "  c.html:\n    title: Gamma\n    publisher: Daily One\n"
        "    date: 2022-07\n    stance: for\n    encoding: windows-1252\n"
    )
    running = start(archive, builds)
    try:
        for name, seed, charset in [("c.html.txt", latin, "windows-1252"), ("b.txt", None, "utf-8")]:
            status, headers, body = get(running, f"/raw/{name}")
            assert body == (seed or (archive.root / "seeds" / name).read_bytes())
            assert (status, headers["content-type"]) == (200, f"text/plain; charset={charset}")
    finally:
        running.stop()


def test_a_folder_address_serves_its_index_and_one_without_a_slash_is_redirected(
    preview: Preview,
) -> None:
    assert get(preview, "/stances/")[0] == 200
    status, headers, body = get(preview, "/stances")
    assert (status, headers["location"]) == (301, "/stances/")
    assert get(preview, "/raw/")[0] == 404  # no folder listings


def test_a_missing_page_is_a_404_that_still_reloads(preview: Preview) -> None:
    status, headers, body = get(preview, "/documents/nothing-here.html")
    assert status == 404 and SCRIPT_TAG.search(body)
    assert get(preview, "/nothing-here.txt")[0] == 404


def test_requests_are_not_logged_unless_verbose(
    archive: Archive, preview: Preview, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    get(preview, "/index.html")
    get(preview, "/missing.css")
    assert capsys.readouterr() == ("", "")


# --- the policy of served pages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "widened"),
    [
        ("default-src 'none'", "default-src 'none'; script-src 'self'; connect-src 'self'"),
        (
            "default-src 'none'; script-src 'none'; connect-src 'self'",
            "default-src 'none'; script-src 'self'; connect-src 'self'",
        ),
        (
            "script-src https://example.org",
            "script-src https://example.org 'self'; connect-src 'self'",
        ),
    ],
)
def test_the_policy_is_widened_just_enough(policy: str, widened: str) -> None:
    assert server.allow_reload_script(policy) == widened


def test_a_page_without_a_policy_or_a_body_end_still_gets_the_script() -> None:
    assert (
        server.with_reload_script(b"<p>bare", "x.1")
        == b'<p>bare<script src="/__archive/reload.js" data-build="x.1"></script>\n'
    )


# --- starting and stopping -------------------------------------------------------------------


def test_stop_ends_event_streams_and_threads(preview: Preview, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "KEEP_ALIVE", 2 * WAIT)  # a stream left to end by itself outlasts WAIT
    stream = Events(preview)
    stream.next()
    idle = socket.create_connection(("127.0.0.1", port(preview)))  # a browser's connection, unused
    stopping = threading.Thread(target=preview.stop, daemon=True)
    stopping.start()
    stopping.join(WAIT)
    assert not stopping.is_alive(), "stop() waits for an open connection or a thread"
    with pytest.raises(EOFError):
        stream.next()
    assert not any(thread.is_alive() for thread in preview.threads)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port(preview)), timeout=WAIT)
    idle.close()
    stream.close()


def test_a_port_in_use_is_a_message_not_a_traceback(
    archive: Archive, preview: Preview, capsys: pytest.CaptureFixture[str]
) -> None:
    result: list[int] = []
    attempt = threading.Thread(
        target=lambda: result.append(serve.serve(options(archive, port(preview)), build.build)),
        daemon=True,  # should it serve after all, the test fails instead of hanging
    )
    attempt.start()
    attempt.join(WAIT)
    assert result == [1]
    assert capsys.readouterr() == (
        "",
        f"cannot serve on 127.0.0.1:{port(preview)}: Address already in use"
        " (try another --port, or --port 0 for any free one)\n",
    )


def read_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def ctrl_c_works() -> None:
    """In the child: Ctrl-C interrupts, even when this test runs where it was ignored (`&`)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_serve_command_reloads_and_stops_on_ctrl_c(archive: Archive) -> None:
    build_py = str(PROJECT / "build.py")
    command = [sys.executable, build_py, "serve", "--root", str(archive.root), "--port", "0"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_works
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
        assert reported(lines.get(timeout=30)) == (13, 43, 0, 0, "_site/index.html")
        serving = lines.get(timeout=WAIT)
        found = re.fullmatch(r"serving http://127\.0\.0\.1:(\d+)/index\.html \(Ctrl-C to stop\)\n", serving)
        assert found, serving
        connection = http.client.HTTPConnection("127.0.0.1", int(found[1]), timeout=WAIT)
        connection.request("GET", "/index.html")
        assert b"Alpha" in connection.getresponse().read()
        connection.close()
        archive.seed("a.txt", "Edited.\n")
        assert reported(lines.get(timeout=WAIT)) == (13, 8, 35, 0, "_site/index.html")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
        assert process.stderr is not None and process.stderr.read() == ""
    finally:
        process.kill()
        process.wait()
