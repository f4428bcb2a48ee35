"""The deliberate bugs of `make mutants` still apply to the code as it is (see tests/mutants.py)."""

from __future__ import annotations

import pytest
from mutants import MUTANTS, PROJECT, applied


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutant_applies_exactly_once(mutant) -> None:  # type: ignore[no-untyped-def]
    text = (PROJECT / mutant.file).read_text("utf-8")
    assert applied(mutant, text) != text


def test_mutants_have_distinct_names() -> None:
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)
