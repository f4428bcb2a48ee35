"""An archive's input as data, written out in full before each build, and the check every
incremental test shares: the site built incrementally equals a clean build of the same input."""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

from conftest import PROJECT, files_under

import build
from archive.render import Output, Planning


class Model:
    """metadata.yaml and seeds/ as data: records by seed name, texts by seed name, the stances."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs: dict[str, dict[str, object]] = {}
        self.texts: dict[str, str] = {}
        self.stances: dict[str, tuple[str, str]] = {"for": ("For", "Supports."), "against": ("Against", "Opposes.")}
        (root / "seeds").mkdir(parents=True, exist_ok=True)

    def add(self, name: str, title: str, date: str, stance: str = "for", publisher: str = "Daily One") -> None:
        self.docs[name] = {"title": title, "publisher": publisher, "date": date, "stance": stance}
        self.texts[name] = f"Text of {name}\n"

    def delete(self, name: str) -> None:
        del self.docs[name], self.texts[name]

    def set(self, name: str, field: str, value: object) -> None:
        """One field of a record: set, or removed when None."""
        self.docs[name].pop(field, None)
        self.docs[name].update({field: value} if value is not None else {})

    def edit_template(self, name: str, marker: str) -> None:
        """The archive's own copy of a template, with ' ·' after the first `marker` (or a newline at its end)."""
        path = self.root / "templates" / name
        path.parent.mkdir(exist_ok=True)
        source = path.read_text() if path.exists() else (PROJECT / "templates" / name).read_text()
        path.write_text(source.replace(marker, marker + " ·", 1) if marker in source else source + "\n")

    def edit_static(self, name: str, text: str) -> None:
        (self.root / "static").mkdir(exist_ok=True)
        (self.root / "static" / name).write_text(text)

    def write(self) -> None:
        """metadata.yaml and seeds/ as the model holds them; a seed is written only when its text changed."""
        seeds = self.root / "seeds"
        for path in seeds.iterdir():
            if path.name not in self.texts:
                path.unlink()
        for name, text in self.texts.items():
            path = seeds / name
            if not path.exists() or path.read_text("utf-8") != text:
                path.write_text(text, "utf-8")
        stances = "".join(
            f"  {key}:\n    label: {json.dumps(label)}\n    description: {json.dumps(description)}\n"
            for key, (label, description) in self.stances.items()
        )
        records = "".join(
            f"  {name}:\n" + "".join(f"    {k}: {json.dumps(v)}\n" for k, v in record.items())
            for name, record in sorted(self.docs.items())
        )
        head = textwrap.dedent("""\
            archive:
              title: Model archive
            stances:
            """)
        (self.root / "metadata.yaml").write_text(head + stances + "documents:\n" + (records or "  {}\n"), "utf-8")


def build_quietly(root: Path, out: Path, *options: str) -> None:
    """Build as a user does; a refused build fails the test with its messages."""
    status = build.main(["--root", str(root), "--out", str(out), "--quiet", *options])
    assert status == 0, f"the build of {out.name} was refused"


def assert_same_as_clean(root: Path, incremental: Path, clean: Path, step: str) -> None:
    """Build `clean` from scratch (one process, no state) and compare it with `incremental`
    file for file, the manifest included: its keys must be what a clean build makes too."""
    build_quietly(root, clean, "--jobs", "1")
    made, expected = files_under(incremental), files_under(clean)
    assert made.keys() == expected.keys(), (
        f"{step}: only in the incremental site {sorted(made.keys() - expected.keys())}, "
        f"only in the clean one {sorted(expected.keys() - made.keys())}"
    )
    differ = sorted(path for path in made if made[path] != expected[path])
    assert not differ, f"{step}: these files differ from a clean build's: {differ}"


class SeeAlso:
    """A producer for tests: for each document, `see-also/FILE.txt` names the document after it in
    the order of file names. Its files depend on another document than their own, which it
    declares in their keys, unless made with `declared=False` (an incremental build then leaves
    such a file stale: the tests show that they notice)."""

    NAME = "see-also"
    VERSION = 1

    def __init__(self, declared: bool = True) -> None:
        self.declared = declared

    def plan(self, planning: Planning) -> Iterator[Output]:
        entries = sorted(planning.site.entries, key=lambda entry: entry.doc.file)
        for entry, other in zip(entries, [*entries[1:], None][: len(entries)], strict=True):
            inputs = [planning.digests[entry.doc.file]]
            if other is not None and self.declared:
                inputs.append(planning.digests[other.doc.file])
            text = f"{entry.doc.title}: see also {other.doc.title if other else 'nothing'}\n"
            key = planning.key(self.NAME, self.VERSION, *inputs)
            yield Output(f"see-also/{entry.doc.file}.txt", key, functools.partial(str.encode, text))
