"""Problems a person can act on: every one carries a file, a line and a message."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with the input, printed compiler style as `path:line: message`."""

    path: str
    """The file (or folder) at fault, as the user would type it."""
    line: int
    """1-based line in that file; 0 when the problem concerns the whole file or folder."""
    message: str
    """What is wrong and, where we can tell, what to do about it."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class Invalid(Exception):
    """Raised by a stage that found problems; carries all of them, never just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(set(problems))


def shown(path: str | Path) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


# What a message must not carry literally: controls (a terminal obeys them; a newline would
# break the one-problem-a-line format), line and paragraph separators, bidirectional overrides
# (they reorder what is shown), lone surrogates (from file names that are not UTF-8) and
# noncharacters. Each is written as the escape a YAML double-quoted string would use.
ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """Text from the input, safe to print in a message: see ESCAPED."""
    return ESCAPED.sub(lambda match: escape_character(match.group()), text)


def escape_character(char: str) -> str:
    """`\\n`, `\\u0007`, `\\U0010FFFF`: how YAML's double quotes would write `char`."""
    code = ord(char)
    return SHORT_ESCAPES.get(char) or (f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")


def summary(problems: list[Problem], wrote_nothing: bool = True) -> str:
    """The closing line after a list of problems."""
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    tail = "; nothing was written" if wrote_nothing else ""
    return f"{count} {noun} found{tail}."


def suggest(word: str, choices: list[str]) -> str:
    """A ' (did you mean ...?)' hint when one of `choices` is close to `word`."""
    import difflib  # only here: a build with no problem need not import it

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
