"""Derive: page names from titles."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.text(st.characters(max_codepoint=127), max_size=60)
    | st.sampled_from(["A &amp; B", "caf&#233;", "Don't", "a--b", "1,000 days", "it''s 2,5", "--A--", "Ünïcode"])
)
def test_the_quick_slug_is_python_slugify_s(text: str) -> None:
    from slugify import slugify

    from archive.names import quick_slugify

    assert quick_slugify(text) == slugify(text)


TITLES = ["Foo", "Foo 2", "Foo-2", "foo", "Foo 2 2", "Foo 3", "!!!", "Alpha", "Beta", "Gamma", "Delta", "Eta"]
DATES = ["2022", "2022-08", "2022-08-20", "2022-09-01?", "2021~"]
PUBLISHERS = ["Daily One", "Weekly Two", "daily one"]


@st.composite
def documents(draw: st.DrawFn, names: list[str]) -> list[object]:
    from archive.dates import parse_date
    from archive.model import Document

    return [
        Document(
            name,
            draw(st.sampled_from(TITLES)),
            draw(st.sampled_from(PUBLISHERS)),
            parse_date(draw(st.sampled_from(DATES))),
            draw(st.sampled_from(["for", "against"])),
            draw(st.sampled_from(["0" * 64, "1" * 64])),
            10,
            line,
            slug=draw(st.sampled_from([None] * 12 + ["foo", "foo-2", "pinned"])),
            aliases=draw(st.sampled_from([None] * 12 + [("foo",), ("old", "eta"), ("foo--d1",)])),
        )
        for line, name in enumerate(names, start=10)
    ]


def without_repeated_slugs(docs: list[Any]) -> list[Any]:
    """The documents, with an explicit slug or aliases that an earlier one already claims
    removed (a name claimed twice is refused, and is tested in test_validate)."""
    seen: set[str] = set()
    kept = []
    for doc in docs:
        if doc.slug in seen:
            doc = doc._replace(slug=None)
        seen.add(doc.slug)
        if seen.intersection(doc.aliases or ()):
            doc = doc._replace(aliases=None)
        seen.update(doc.aliases or ())
        kept.append(doc)
    return kept


@st.composite
def two_archives(draw: st.DrawFn) -> tuple[list[object], list[object]]:
    """An archive's documents, then the same after a few additions, edits and removals."""
    names = draw(st.lists(st.sampled_from([f"d{i}.txt" for i in range(12)]), min_size=1, max_size=10, unique=True))
    before = draw(documents(names))
    kept = [doc for doc in before if draw(st.integers(0, 5))]  # a few removed
    edited = [draw(documents([doc.file]))[0] if not draw(st.integers(0, 4)) else doc for doc in kept]
    moved = [doc._replace(line=doc.line + draw(st.integers(0, 3))) for doc in edited]  # lines alone change nothing
    added = draw(documents([f"n{i}.txt" for i in range(draw(st.integers(0, 3)))]))
    return without_repeated_slugs(before), without_repeated_slugs(moved + added)


@st.composite
def two_placeable_archives(draw: st.DrawFn) -> tuple[list[object], list[object]]:
    """An archive, then the same after documents were added, removed, re-dated and retitled, such
    that the changed ones can always be placed into the last order: every title is a document's
    own (no page name can pass to another document), one publisher, no explicit slug."""
    from archive.dates import parse_date
    from archive.model import Document

    def doc(name: str, version: int, date: str, line: int) -> Document:
        return Document(name, f"{name[:-4]} v{version}", "P", parse_date(date), "for", "0" * 64, 10, line)

    names = draw(st.lists(st.sampled_from([f"d{i}.txt" for i in range(12)]), min_size=1, max_size=10, unique=True))
    before = [doc(name, 0, draw(st.sampled_from(DATES)), line) for line, name in enumerate(names, start=10)]
    after = []
    for old in before:
        change = draw(st.sampled_from(["keep", "keep", "remove", "redate", "retitle"]))
        if change == "redate":
            after.append(old._replace(date=parse_date(draw(st.sampled_from(DATES)))))
        elif change == "retitle":
            after.append(old._replace(title=old.title.replace("v0", "v1")))
        elif change == "keep":
            after.append(old)
    added = draw(st.integers(0 if after else 1, 3))
    after += [doc(f"n{i}.txt", 0, draw(st.sampled_from(DATES)), 30 + i) for i in range(added)]
    return before, after


def site_of(docs: list[object], last: object = None) -> object:
    from archive.derive import derive_site
    from archive.model import Archive, Stance

    stances = (Stance("for", "For", ""), Stance("against", "Against", ""))
    return derive_site(Archive("A", "", "en", stances, tuple(docs), {}), "metadata.yaml", {}, last)  # type: ignore[arg-type]


@settings(max_examples=EXAMPLES, deadline=None)
@given(two_archives())
def test_documents_placed_into_the_last_order_are_placed_as_deriving_all_places_them(archives) -> None:  # type: ignore[no-untyped-def]
    """Any change: placed or derived, the site is the one deriving all of it gives."""
    check_placed_as_derived(*archives)


@settings(max_examples=EXAMPLES, deadline=None)
@given(two_placeable_archives())
def test_documents_that_can_be_placed_are_placed_and_as_deriving_all_places_them(archives) -> None:  # type: ignore[no-untyped-def]
    """As above, for changes that never make a build derive everything: each example checks placing."""
    check_placed_as_derived(*archives, must_place=True)


def test_a_new_document_titled_like_an_unchanged_documents_alias_is_placed_as_deriving_all_places_it() -> None:
    """Without a lock (names.lock holds every alias too), the aliases of the documents kept in
    place still hold their names against a new document's title."""
    from archive.dates import parse_date
    from archive.model import Document

    alpha = Document("a.txt", "Alpha", "P", parse_date("2022"), "for", "0" * 64, 10, 10, aliases=("foo",))
    foo = Document("b.txt", "Foo", "P", parse_date("2022"), "for", "0" * 64, 10, 11)
    check_placed_as_derived([alpha], [alpha, foo])


def check_placed_as_derived(before: list[object], after: list[object], must_place: bool = False) -> None:
    """A site placed from the last one equals the derived one, its fresh documents are all that
    changed, and the documents outside fresh and near have the neighbours they had."""
    from archive.placement import placement_from, placement_rows

    last_site, derived = site_of(before), site_of(after)
    files = [e.doc.file for e in last_site.entries]
    last = placement_from(
        placement_rows(last_site, {f: f"digest {f}" for f in files}, "salt", [f"key {f}" for f in files])
    )
    assert last is not None
    patched = site_of(after, last)
    assert patched._replace(patch=None) == derived
    assert patched.patch is not None or not must_place, "the documents were derived, not placed"
    if patched.patch is None:
        return
    old = {e.doc.file: e._replace(doc=e.doc._replace(line=0)) for e in last_site.entries}
    new = {e.doc.file: e._replace(doc=e.doc._replace(line=0)) for e in derived.entries}
    assert {f for f in new if old.get(f) != new[f]} == patched.patch.fresh
    assert patched.patch.changed == len(patched.patch.fresh | (old.keys() - new.keys()))

    def around(entries) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
        names = ["", *(e.doc.file for e in entries), ""]
        return {names[i]: (names[i - 1], names[i + 1]) for i in range(1, len(names) - 1)}

    was, now = around(last_site.entries), around(derived.entries)
    for file in new.keys() - patched.patch.fresh - patched.patch.near:
        assert now[file] == was[file], file


def doc(name: str, title: str, date: str = "2022", **fields: object) -> Any:
    from archive.dates import parse_date
    from archive.model import Document

    return Document(name, title, "P", parse_date(date), "for", "0" * 64, 1, 1, **fields)  # type: ignore[arg-type]


def names_of(docs: list[Any], last: Any = None) -> dict[str, str]:
    return {e.doc.file: e.slug for e in site_of(docs, last).entries}  # type: ignore[attr-defined]


def placement_of(site: Any) -> Any:
    from archive.placement import placement_from, placement_rows

    files = [e.doc.file for e in site.entries]
    return placement_from(placement_rows(site, dict.fromkeys(files, ""), "", files))


def test_a_few_documents_are_placed_into_the_last_order_and_a_shared_title_is_not() -> None:
    """Adding a document places it; removing one of a title others share derives all."""
    docs = [doc("a.txt", "Foo", "2022-01"), doc("b.txt", "Foo", "2022-02"), doc("c.txt", "Foo", "2022-03")]
    site = site_of(docs)
    last = placement_of(site)
    assert [e.slug for e in site.entries] == ["foo--a", "foo--b", "foo--c"]  # type: ignore[attr-defined]
    added = site_of([*docs, doc("d.txt", "Bar", "2022-02-15")], last)
    assert added.patch is not None and added.patch.fresh == {"d.txt"}  # type: ignore[attr-defined]
    assert added.patch.near == {"b.txt", "d.txt", "c.txt"}  # type: ignore[attr-defined]
    removed = site_of([docs[0], docs[2]], last)
    assert removed.patch is None and [e.slug for e in removed.entries] == ["foo--a", "foo--c"]  # type: ignore[attr-defined]
    joined = site_of([*docs, doc("d.txt", "Foo", "2022-02-15")], last)
    assert joined.patch is None  # type: ignore[attr-defined]


def test_documents_sharing_a_title_are_named_after_their_seed_files_in_any_order() -> None:
    docs = [doc("b.txt", "Wire story"), doc("a.txt", "Wire story", "2021"), doc("Wire C.md", "Wire Story!")]
    expected = {"a.txt": "wire-story--a", "b.txt": "wire-story--b", "Wire C.md": "wire-story--wire-c"}
    assert names_of(docs) == names_of(docs[::-1]) == expected
    (shared,) = site_of(docs).titles  # type: ignore[attr-defined]
    assert (shared.key, shared.label, shared.page) == (
        "wire-story",
        "Wire story / Wire Story!",
        "documents/wire-story.html",
    )
    assert [entry.doc.file for entry in shared.entries] == ["a.txt", "b.txt", "Wire C.md"]


def test_files_that_give_one_suffix_are_told_apart_by_a_digest_of_their_names() -> None:
    names = names_of([doc("x.txt", "Foo"), doc("x.md", "Foo"), doc("!!.txt", "Foo")])
    assert names == {"x.txt": "foo--x-274bf4", "x.md": "foo--x-4b80e6", "!!.txt": "foo--14e984"}


def test_a_document_s_name_stays_while_others_of_its_title_come_and_go() -> None:
    """Once its title is shared, a document's name is its own: another of the title coming,
    going or retitled leaves it as it is, and the bare name lists those that share the title."""
    a, b, c = doc("a.txt", "Foo"), doc("b.txt", "Foo"), doc("c.txt", "Foo")
    steps = [
        [a, b, c],
        [a, c],  # b goes
        [a, c, doc("d.txt", "Foo")],  # d comes
        [a, c._replace(title="Bar"), doc("d.txt", "Foo")],  # c is retitled
        [a, c._replace(title="Bar"), doc("d.txt", "Foo"), doc("e.txt", "Bar")],  # another Bar
    ]
    names = [names_of(docs) for docs in steps]
    assert [step["a.txt"] for step in names] == ["foo--a"] * 5
    assert [step["c.txt"] for step in names] == ["foo--c", "foo--c", "foo--c", "bar", "bar--c"]
    assert names[2]["d.txt"] == names[4]["d.txt"] == "foo--d"
    assert [[group.key for group in site_of(docs).titles] for docs in steps] == [["foo"]] * 4 + [["bar", "foo"]]  # type: ignore[attr-defined]


def test_a_title_whose_name_is_another_document_s_slug_or_alias_gets_a_suffix() -> None:
    docs = [
        doc("a.txt", "Foo"),
        doc("b.txt", "Old", slug="foo"),
        doc("c.txt", "Bar"),
        doc("d.txt", "New", aliases=("bar",)),
    ]
    site = site_of(docs)
    assert names_of(docs) == {"a.txt": "foo--a", "b.txt": "foo", "c.txt": "bar--c", "d.txt": "new"}
    assert site.titles == ()  # type: ignore[attr-defined]
    assert [(alias.page, alias.entry.doc.file) for alias in site.aliases] == [("documents/bar.html", "d.txt")]  # type: ignore[attr-defined]


def test_an_alias_that_is_the_document_s_own_name_makes_no_page() -> None:
    site = site_of([doc("a.txt", "Foo", aliases=("foo", "older"))])
    assert [e.slug for e in site.entries] == ["foo"]  # type: ignore[attr-defined]
    assert [alias.page for alias in site.aliases] == ["documents/older.html"]  # type: ignore[attr-defined]


def test_a_renamed_page_is_named_with_the_alias_that_keeps_it() -> None:
    """The last build's names say which pages moved; the notice names the alias to add, not
    for a name now listing the document, nor for one it keeps already."""
    from archive.placement import renamed_pages

    a, b = doc("a.txt", "Foo"), doc("b.txt", "Bar")
    last = placement_of(site_of([a, b]))

    def notices(docs: list[Any]) -> list[str]:
        return [str(problem) for problem in renamed_pages(site_of(docs, last), last, "metadata.yaml")]

    assert notices([a._replace(title="Food"), b]) == [
        'metadata.yaml:1: documents.a.txt: its page was foo.html and is now food.html; add "aliases: [foo]"'
        " to keep links to it working"
    ]
    assert notices([a._replace(title="Food", aliases=("old",)), b]) == [
        'metadata.yaml:1: documents.a.txt: its page was foo.html and is now food.html; add "foo" to its aliases'
        " to keep links to it working"
    ]
    assert notices([a._replace(title="Food", aliases=("foo",)), b]) == []
    assert notices([a, b, doc("c.txt", "Foo")]) == []  # foo.html lists a.txt and c.txt
    assert notices([a, b._replace(date=a.date)]) == []
