"""The deliberate bugs of `make mutants` still apply to the code as it is (see tests/mutants.py)."""

from __future__ import annotations

import ast

import pytest
from mutants import MUTANTS, PROJECT, applied


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutant_applies_exactly_once_and_still_compiles(mutant) -> None:  # type: ignore[no-untyped-def]
    """A mutant is a bug the tests must find by what the code does: one that made the module fail
    to compile would be caught by any test that imports it."""
    text = (PROJECT / mutant.file).read_text("utf-8")
    mutated = applied(mutant, text)
    assert mutated != text
    ast.parse(mutated, mutant.file)


def test_mutants_have_distinct_names() -> None:
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)
