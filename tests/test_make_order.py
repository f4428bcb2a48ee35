"""The order outputs are made in (write.interleaved) and the seeds read for them (render.SeedReader):
a document's files are made one after another, and its seed is read once for all of them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from archive import render, write
from archive.dates import parse_date
from archive.model import Document
from archive.problems import Invalid
from archive.render import Output, SeedReader


def planned(documents: int) -> list[Output]:
    """Outputs as the producers plan them: a few pages, then per document in the entries' order
    its page and raw copy, its three citations, and its text."""
    make = bytes
    paths = ["index.html", "about.html"]
    for i in range(documents):
        paths += [f"documents/d{i}.html", f"raw/{i:05}.txt"]
    paths += [f"cite/d{i}{suffix}" for i in range(documents) for suffix in (".bib", ".ris", ".csl.json")]
    paths += [f"texts/d{i}.js" for i in range(documents)]
    return [Output(path, path, make) for path in paths]


def test_a_documents_files_are_made_one_after_another() -> None:
    work = list(enumerate(planned(500)))
    made = write.interleaved(work)
    assert sorted(made, key=lambda item: item[0]) == work
    place = {output.path: at for at, (_, output) in enumerate(made)}
    for i in range(500):
        own = [f"documents/d{i}.html", f"raw/{i:05}.txt", f"cite/d{i}.bib", f"cite/d{i}.csl.json", f"texts/d{i}.js"]
        assert max(map(place.__getitem__, own)) - min(map(place.__getitem__, own)) < 8, i


def seed(folder: Path, name: str, text: str) -> Document:
    data = text.encode()
    (folder / name).write_bytes(data)
    return Document(name, name, "P", parse_date("2022"), "s", hashlib.sha256(data).hexdigest(), len(data), 1)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    read_file = render.read_file

    def counted(path: str, *rest: object) -> bytes:
        names.append(Path(path).name)
        return read_file(path, *rest)

    monkeypatch.setattr(render, "read_file", counted)
    return names


def test_a_seed_is_read_once_for_the_outputs_of_its_document(tmp_path: Path, reads: list[str]) -> None:
    a, b = seed(tmp_path, "a.txt", "Alpha"), seed(tmp_path, "b.txt", "Beta")
    reader = SeedReader(tmp_path)
    assert [reader.read(a), reader.text(b), reader.read(a), reader.text(a)] == [b"Alpha", "Beta", b"Alpha", "Alpha"]
    assert reads == ["a.txt", "b.txt"]


def test_the_seeds_kept_are_the_last_few(tmp_path: Path, reads: list[str]) -> None:
    docs = [seed(tmp_path, f"{i}.txt", f"text {i}") for i in range(SeedReader.RECENT + 1)]
    reader = SeedReader(tmp_path)
    for doc in docs + docs[-1:] + docs[:1]:
        reader.read(doc)
    assert reads == [doc.file for doc in docs] + [docs[0].file]


def test_a_seed_changed_before_it_is_read_stops_the_build(tmp_path: Path) -> None:
    doc = seed(tmp_path, "a.txt", "Alpha")
    (tmp_path / "a.txt").write_text("Alpha, edited")
    with pytest.raises(Invalid) as raised:
        SeedReader(tmp_path).read(doc)
    assert [problem.message for problem in raised.value.problems] == [
        "changed while the site was being built; build again"
    ]
