"""Text every tier can store, log and echo back: PostgreSQL refuses NUL in `text`, and an unpaired
surrogate (valid in a JSON string escape, invalid in UTF-8) cannot be encoded at all. Both are the
client's mistake, so they are refused as validation errors (422), never met later as a 500."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no unpaired surrogates)") from None
    return value


PlainText = Annotated[str, AfterValidator(storable_text)]

# Letters, numbers, punctuation and symbols show something; separators (spaces), controls, format
# characters (zero-width space, byte-order mark) and marks on their own (variation selectors) do
# not, nor do the fillers that are letters or symbols by category but draw nothing.
_VISIBLE_CATEGORIES = frozenset("LNPS")
_BLANK_GLYPHS = frozenset("\u115f\u1160\u2800\u3164\uffa0")


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in _VISIBLE_CATEGORIES and char not in _BLANK_GLYPHS


def shows_something(value: str) -> str:
    if not any(map(_visible, value)):
        raise ValueError("must show something: only spaces or invisible characters (zero-width, byte-order mark) were given")
    return value


# A name a person reads in a list (a note's title): storable, and not blank to the eye.
VisibleText = Annotated[PlainText, AfterValidator(shows_something)]


def printable(value: str) -> str:
    """`value` safe to encode anywhere (JSON responses, logs): unencodable characters escaped."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
