"""The preview's HTTP server: the built site from its folder, on 127.0.0.1, with a script that reloads it.

Every HTML page sent gets a <script> tag for /__archive/reload.js before </body>, and its
Content-Security-Policy meta tag is widened, in the copy sent, to let that script open the
event stream at /__archive/events (Server-Sent Events: `reload` after a build, `problems`
after a refused one). The files on disk are never touched. Stdlib only; the preview loop that
builds and tells the server is archive/serve.py.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import secrets
import socket
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

PREFIX = "/__archive/"
"""The preview's own addresses: no page of the site lives under it."""
SCRIPT = PREFIX + "reload.js"
EVENTS = PREFIX + "events"
RAW = "raw/"
"""Where the byte-identical copies of the seeds are (`Entry.raw`): sent as they are, as text."""

KEEP_ALIVE = 15.0
"""Seconds between comments on an idle event stream, so that a dead connection is noticed."""


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
        if "\0" in file:  # %00: no file has such a name, and the file system refuses to look
            self.send_error(404, "File not found")
            return
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
