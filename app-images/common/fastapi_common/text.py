"""Text every tier can store, log and echo back: PostgreSQL refuses NUL in `text`, and an unpaired
surrogate (valid in a JSON string escape, invalid in UTF-8) cannot be encoded at all. Both are the
client's mistake, so they are refused as validation errors (422), never met later as a 500."""

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


def printable(value: str) -> str:
    """`value` safe to encode anywhere (JSON responses, logs): unencodable characters escaped."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
