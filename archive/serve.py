"""Preview while you edit: build, serve on 127.0.0.1, rebuild on a change, reload the pages.

    Preview.start()   bind 127.0.0.1:PORT, build once, serve the output folder, start watching
    watcher thread    polls the inputs' stats; when they settle, rebuilds and tells the pages
    open pages        /__archive/reload.js listens to /__archive/events (Server-Sent Events):
                      `reload` after a build, `problems` (drawn as an overlay) after a refused one
    Preview.stop()    closes every connection, stops the server and the watcher

The server, and the reload script that exists only in what it sends, are archive/server.py.
Stdlib only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive.problems import Invalid, shown, summary
from archive.server import Hub, Server

POLL = 0.2
"""Seconds between two looks at the inputs' stats; longer when a look takes long (a big archive)."""
SETTLE = 0.1
"""Seconds the inputs must stay unchanged before a build: an editor's save burst gives one build."""
SETTLE_AT_MOST = 2.0
"""A file that keeps changing does not hold the build back longer than this."""

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
