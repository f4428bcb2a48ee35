"""Preview while you edit: build, serve on 127.0.0.1, rebuild on a change, reload the pages.

    Preview.start()   bind 127.0.0.1:PORT, build once, serve the output folder, start watching
    watcher thread    polls the inputs' stats; when they settle, rebuilds and tells the pages
    open pages        /__archive/reload.js listens to /__archive/events (Server-Sent Events):
                      `reload` after a build, `problems` (drawn as an overlay) after a refused one
    Preview.stop()    closes every connection, stops the server and the watcher

The reload script exists only in what the server sends: each HTML page gets a <script> tag
before </body>, and its Content-Security-Policy meta tag is widened, in the copy sent, to let
that script (`script-src 'self'`) open the event stream (`connect-src 'self'`). The files on
disk are never touched. Stdlib only.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import re
import secrets
import socket
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.problems import Invalid, shown, summary

PREFIX = "/__archive/"
"""The preview's own addresses: no page of the site lives under it."""
SCRIPT = PREFIX + "reload.js"
EVENTS = PREFIX + "events"
RAW = "raw/"
"""Where the byte-identical copies of the seeds are (`Entry.raw`): sent as they are, as text."""

POLL = 0.2
"""Seconds between two looks at the inputs' stats; longer when a look takes long (a big archive)."""
SETTLE = 0.1
"""Seconds the inputs must stay unchanged before a build: an editor's save burst gives one build."""
SETTLE_AT_MOST = 2.0
"""A file that keeps changing does not hold the build back longer than this."""
KEEP_ALIVE = 15.0
"""Seconds between comments on an idle event stream, so that a dead connection is noticed."""

Build = Callable[[Any], Any]
"""build.build: Options -> Report, raising Invalid."""


def serve(options: Any, build: Build) -> int:
    """`build.py serve`: preview until Ctrl-C; 0 then, 1 when the port cannot be had."""
    preview = Preview(options, build)
    try:
        preview.start()
        print(f"serving {preview.url}index.html (Ctrl-C to stop)", flush=True)
        threading.Event().wait()
    except OSError as error:
        print(
            f"cannot serve on 127.0.0.1:{options.port}: {error.strerror or error} "
            "(try another --port, or --port 0 for any free one)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        stop_quietly(preview)
    return 0


def stop_quietly(preview: Preview) -> None:
    """Stop the preview; a second Ctrl-C while a build finishes only makes it hurry."""
    with contextlib.suppress(KeyboardInterrupt):
        preview.stop()


class Preview:
    """The server, the watcher and what the open pages are told; start() and stop() it."""

    def __init__(self, options: Any, build: Build) -> None:
        self.options, self.build = options, build
        self.hub = Hub()
        self.watched = watched_paths(Path(options.root))
        self.lock = Path(os.path.abspath(Path(options.root) / "names.lock"))
        self.stopping = threading.Event()
        self.server: Server | None = None
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        assert self.server is not None, "start() first"
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> None:
        """Bind the port (first: a port in use fails fast), build once, then serve and watch."""
        self.server = Server(self.options, self.hub)
        inputs = self.look()
        if self.rebuild():
            inputs = self.relocked(inputs)
        self.run(self.server.serve_forever, 0.1)
        self.run(self.watch, inputs)

    def run(self, target: Callable[..., None], argument: object) -> None:
        """Start a thread; stop() waits for it."""
        thread = threading.Thread(target=target, args=(argument,), name=f"preview {target.__name__}")
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        """Close every connection, stop serving, wait for the watcher (and a build under way)."""
        self.stopping.set()
        self.hub.close()
        if self.server is not None:
            if self.threads:  # serve_forever runs: shutdown() waits for it to return
                self.server.shutdown()
            self.server.close_connections()
            self.server.server_close()
        for thread in self.threads:
            thread.join()

    def watch(self, inputs: str) -> None:
        """Poll the inputs' stats; rebuild once they changed and settled."""
        while not self.stopping.is_set():
            started = time.perf_counter()
            now = self.look()
            took = time.perf_counter() - started
            if now != inputs:
                inputs = self.settle(now)
                if self.stopping.is_set():
                    break
                if self.rebuild():
                    inputs = self.relocked(inputs)
            self.pause(max(POLL, 5 * took))

    def settle(self, inputs: str) -> str:
        """Wait until the inputs stay unchanged for SETTLE seconds (SETTLE_AT_MOST at most)."""
        deadline = time.monotonic() + SETTLE_AT_MOST
        while not self.pause(SETTLE) and time.monotonic() < deadline:
            now = self.look()
            if now == inputs:
                break
            inputs = now
        return inputs

    def look(self) -> str:
        """The stats of the inputs (see snapshot), then of names.lock, which the build writes itself."""
        return f"{snapshot(self.watched)} {snapshot([self.lock])}"

    def relocked(self, inputs: str) -> str:
        """`inputs` (see look) with names.lock's stat as it is now: after a build that added names
        to it, its own write is no change to rebuild for (an edit of any other input still is)."""
        return f"{inputs.partition(' ')[0]} {snapshot([self.lock])}"

    def pause(self, seconds: float) -> bool:
        """The watcher's wait between two looks at the inputs; True once stop() was called.

        The one place the watcher waits: a test can step it look by look instead of by the clock.
        """
        return self.stopping.wait(seconds)

    def rebuild(self) -> bool:
        """Build; say what happened in the terminal and to the open pages. True when the build
        added names to names.lock."""
        started = time.perf_counter()
        try:
            report = self.build(self.options)
        except Invalid as invalid:
            lines = [str(problem) for problem in invalid.problems] + [summary(invalid.problems)]
            print("\n".join(lines), file=sys.stderr, flush=True)
            self.hub.failed(lines)
            return False
        except Exception as error:  # a bug of ours: say so, and keep the preview alive
            traceback.print_exc()
            self.hub.failed([f"the build crashed (a bug of ours): {type(error).__name__}: {error}"])
            return False
        for notice in report.renamed:
            print(notice, file=sys.stderr, flush=True)
        if self.options.verbosity:
            print(summary_line(report, self.options.out, time.perf_counter() - started), flush=True)
        self.hub.built(changed=bool(report.written or report.removed))
        return bool(report.locked)


def summary_line(report: Any, out: Path, seconds: float) -> str:
    """The line cli.report_build prints, for each build of the preview."""
    return (
        f"built {report.pages:,} pages: {report.written:,} files written, "
        f"{report.unchanged:,} unchanged, {report.removed:,} removed in {seconds:.2f} s "
        f"-> {shown(Path(out) / 'index.html')}"
    )


# --- watching -------------------------------------------------------------------------------


def watched_paths(root: Path) -> list[Path]:
    """The inputs of a build, as build.theme_dirs finds them, whether they exist yet or not."""
    project = Path(__file__).resolve().parent.parent
    paths = [
        root / "seeds",
        root / "metadata.yaml",
        root / "templates",
        root / "static",
        project / "templates",
        project / "static",
    ]
    return list(dict.fromkeys(Path(os.path.abspath(path)) for path in paths))


def snapshot(paths: list[Path]) -> str:
    """A digest of (path, size, mtime, inode) of every file under these paths, hidden ones aside.

    Hidden files are what editors keep beside a file (.a.txt.swp, .#a.txt) and what the build
    ignores; a missing path counts too, so creating it is a change.
    """
    hasher = hashlib.blake2b(digest_size=16)
    for path in paths:
        add_stats(hasher, os.fspath(path))
    return hasher.hexdigest()


def add_stats(hasher: Any, path: str) -> None:
    """The stat of a file, or of every file under a folder (a linked one too, at the top).

    A folder's own stat is left out: a hidden file made in it changes its time, and what it
    holds is told by its entries. Links to folders further down are not followed (no loops).
    """
    try:
        st = os.stat(path)
        if not stat.S_ISDIR(st.st_mode):
            add_stat(hasher, path, st)
            return
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        hasher.update(f"{path}\0folder\n".encode("utf-8", "surrogateescape"))  # its entries tell
    except OSError:
        hasher.update(f"{path}\0missing\n".encode("utf-8", "surrogateescape"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            add_stats(hasher, entry.path)
            continue
        try:
            add_stat(hasher, entry.path, entry.stat())
        except OSError:  # gone since, or a broken link
            hasher.update(f"{entry.path}\0missing\n".encode("utf-8", "surrogateescape"))


def add_stat(hasher: Any, path: str, st: os.stat_result) -> None:
    line = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n"
    hasher.update(line.encode("utf-8", "surrogateescape"))


# --- what the open pages are told -----------------------------------------------------------


class Hub:
    """The outcome of the latest build, and a wake-up for every event stream when it changes."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.token = secrets.token_hex(4)
        """Differs from one preview to the next: a page from an earlier one reloads."""
        self.builds = 0
        """Successful builds that changed the site."""
        self.problems: list[str] = []
        """The lines of the latest build's problems; none when it succeeded."""
        self.events = 0
        self.closed = False

    @property
    def build_id(self) -> str:
        """Names the site being served: a page made from another build reloads."""
        return f"{self.token}.{self.builds}"

    def built(self, changed: bool) -> None:
        """A build succeeded: pages reload when it changed the site or cleared problems."""
        with self.condition:
            if not changed and not self.problems:
                return
            self.builds += changed
            self.problems = []
            self.publish()

    def failed(self, lines: list[str]) -> None:
        """A build was refused: the pages show these lines over the previous site."""
        with self.condition:
            self.problems = lines
            self.publish()

    def publish(self) -> None:
        self.events += 1
        self.condition.notify_all()

    def close(self) -> None:
        """End every event stream."""
        with self.condition:
            self.closed = True
            self.condition.notify_all()

    def state(self) -> dict[str, Any]:
        with self.condition:
            return {"build": self.build_id, "problems": list(self.problems)}

    def wait(self, seen: int, timeout: float) -> tuple[int, str, dict[str, Any]] | None:
        """The next event after event number `seen` (("", ...) on a timeout); None when closed."""
        with self.condition:
            self.condition.wait_for(lambda: self.closed or self.events != seen, timeout)
            if self.closed:
                return None
            if self.events == seen:
                return seen, "", {}
            name = "problems" if self.problems else "reload"
            return self.events, name, {"build": self.build_id, "problems": list(self.problems)}


# --- the server -----------------------------------------------------------------------------


class Server(http.server.ThreadingHTTPServer):
    """Serves the output folder on 127.0.0.1, and the preview's script and event stream."""

    daemon_threads = True

    def __init__(self, options: Any, hub: Hub) -> None:
        self.out = os.path.abspath(options.out)
        self.verbosity: int = options.verbosity
        self.hub = hub
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.charsets = Charsets(os.path.join(self.out, "metadata.json"))
        super().__init__(("127.0.0.1", options.port), Handler)

    def track(self, connection: socket.socket, alive: bool) -> None:
        with self.lock:
            (self.connections.add if alive else self.connections.discard)(connection)

    def close_connections(self) -> None:
        """End every open connection (event streams, idle browsers): stop() waits on none."""
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away mid-answer is no error; anything else is a bug of ours."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Files under the output folder only; HTML pages get the reload script on the way out."""

    server: Server
    extensions_map = {
        ".html": "text/html; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".json": "application/json; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".svg": "image/svg+xml",
        ".csv": "text/csv; charset=utf-8",
        ".zip": "application/zip",
        "": "text/plain; charset=utf-8",  # SHA256SUMS
    }

    def __init__(self, request: Any, client_address: Any, server: Server) -> None:
        super().__init__(request, client_address, server, directory=server.out)

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, alive=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, alive=False)

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def answer(self, body: bool) -> None:
        """The preview's own addresses, pages with the script, raw copies as text, or the file."""
        route = urlsplit(self.path).path
        file = self.translate_path(self.path)  # under the output folder, whatever the request says
        if os.path.isdir(file) and route.endswith("/"):
            file = os.path.join(file, "index.html")
        site_path = os.path.relpath(file, self.server.out).replace(os.sep, "/")
        if route == EVENTS:
            self.stream_events(body)
        elif route == SCRIPT:
            self.send_bytes(RELOAD_JS, self.extensions_map[".js"], body)
        elif site_path.startswith(RAW):
            self.send_file(file, f"text/plain; charset={self.server.charsets.of(site_path)}", body)
        elif file.endswith(".html"):
            self.send_page(file, body)
        elif body:
            super().do_GET()
        else:
            super().do_HEAD()

    def send_page(self, file: str, body: bool) -> None:
        """A page of the site with the reload script; a missing page is a 404 page with it too."""
        build_id = self.server.hub.build_id  # taken first: a build in between gives a reload
        try:
            with open(file, "rb") as page:
                data, status = page.read(), 200
        except OSError:
            data, status = NOT_FOUND, 404
        page_type = self.extensions_map[".html"]
        self.send_bytes(with_reload_script(data, build_id), page_type, body, status)

    def send_file(self, file: str, content_type: str, body: bool) -> None:
        try:
            with open(file, "rb") as raw:
                data = raw.read()
        except OSError:
            self.send_error(404, "File not found")
            return
        self.send_bytes(data, content_type, body)

    def send_bytes(self, data: bytes, content_type: str, body: bool, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def stream_events(self, body: bool) -> None:
        """Server-Sent Events: `hello` with the current state, then one event per build."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        if not body:
            return
        hub = self.server.hub
        with hub.condition:
            seen, state = hub.events, hub.state()
        try:
            self.wfile.write(b"retry: 500\n" + event("hello", state))
            while (next_event := hub.wait(seen, KEEP_ALIVE)) is not None:
                seen, name, data = next_event
                self.wfile.write(event(name, data) if name else b": still here\n\n")
        except OSError:  # the page went away, or stop() closed the connection
            pass

    def end_headers(self) -> None:
        """Never cached: a reload always shows the newest build."""
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """One line per request only with --verbose."""
        if self.server.verbosity > 1:
            super().log_message(format, *args)


def event(name: str, data: dict[str, Any]) -> bytes:
    """One Server-Sent Event; the JSON is on one line (json.dumps escapes line breaks)."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class Charsets:
    """The encoding of each raw copy, from the site's metadata.json (UTF-8 unless a record says)."""

    def __init__(self, metadata: str) -> None:
        self.metadata = metadata
        self.seen: tuple[int, int] | None = None
        self.encodings: dict[str, str] = {}
        self.lock = threading.Lock()

    def of(self, site_path: str) -> str:
        with self.lock:
            try:
                st = os.stat(self.metadata)
                if (st.st_mtime_ns, st.st_size) != self.seen:
                    self.encodings = self.read()
                    self.seen = (st.st_mtime_ns, st.st_size)
            except (OSError, ValueError, TypeError, AttributeError, KeyError):
                self.encodings, self.seen = {}, None
            return self.encodings.get(site_path, "utf-8")

    def read(self) -> dict[str, str]:
        with open(self.metadata, "rb") as file:
            documents = json.load(file)["documents"]
        return {
            doc["raw"]: re.sub(r"[^A-Za-z0-9._:-]", "", doc["encoding"]) for doc in documents if doc.get("encoding")
        }


# --- what the pages get -----------------------------------------------------------------------

CSP = re.compile(rb'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.IGNORECASE)
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def with_reload_script(page: bytes, build_id: str) -> bytes:
    """The page as the preview sends it: the script before </body>, and a policy that allows it."""
    page = CSP.sub(lambda m: m[1] + allow_reload_script(m[2].decode()).encode() + m[3], page, 1)
    tag = f'<script src="{SCRIPT}" data-build="{build_id}"></script>\n'.encode()
    ends = list(BODY_END.finditer(page))
    at = ends[-1].start() if ends else len(page)
    return page[:at] + tag + page[at:]


def allow_reload_script(policy: str) -> str:
    """A Content-Security-Policy that also allows scripts from, and connections to, this server."""
    directives = [d.split() for d in policy.split(";") if d.strip()]
    for name in ("script-src", "connect-src"):
        found = next((d for d in directives if d[0].lower() == name), None)
        if found is None:
            directives.append([name, "'self'"])
        elif "'self'" not in found:
            found[1:] = [source for source in found[1:] if source.lower() != "'none'"] + ["'self'"]
    return "; ".join(" ".join(d) for d in directives)


NOT_FOUND = b"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Not found</title></head>
<body>
<h1>Not found</h1>
<p>The built site has no page at this address. This page reloads when a build makes one.</p>
</body>
</html>
"""

RELOAD_JS = b"""\
// Live reload for `python build.py serve`. Only what the preview server sends carries this
// script; the built site never does. It reloads the page after each build, and shows the
// problems of a refused build over the page (the previous site is still the one served).
(function () {
  "use strict";
  var script = document.currentScript;
  var pageBuild = script ? script.getAttribute("data-build") : null;
  var overlay = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(lines) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "archive-preview-problems";
    overlay.setAttribute("role", "alert");
    Object.assign(overlay.style, {
      position: "fixed", left: "0", right: "0", bottom: "0", maxHeight: "60vh", overflow: "auto",
      zIndex: "2147483647", margin: "0", padding: "1em", boxSizing: "border-box",
      background: "#fff4f4", color: "#5c0000", borderTop: "4px solid #b00020",
      font: "14px/1.4 ui-monospace, monospace", textAlign: "left"
    });
    var heading = document.createElement("p");
    heading.style.fontWeight = "bold";
    heading.style.margin = "0 0 0.5em";
    heading.textContent = "The last build was refused; this is the previous site. Fix and save:";
    var list = document.createElement("pre");
    list.style.margin = "0";
    list.style.whiteSpace = "pre-wrap";
    list.textContent = lines.join("\\n");
    overlay.appendChild(heading);
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  if (!window.EventSource) {
    return;
  }
  // After `hello` (on every connection) and `problems`: a page from another build reloads
  // (a build finished since it was sent, or the preview was restarted); otherwise the
  // overlay shows the problems of the latest build, or goes away when there are none.
  function update(message) {
    var state = JSON.parse(message.data);
    if (pageBuild !== null && state.build !== pageBuild) {
      location.reload();
    } else if (state.problems.length) {
      show(state.problems);
    } else {
      hide();
    }
  }

  var events = new EventSource("/__archive/events");
  events.addEventListener("hello", update);
  events.addEventListener("problems", update);
  events.addEventListener("reload", function () {
    location.reload();
  });
})();
"""
