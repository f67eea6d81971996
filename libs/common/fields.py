"""Field types every API model uses: strict bodies and bounded, NUL-free strings.

PostgreSQL cannot store a NUL character in text; refusing it at the field names the field in the 422
instead of failing at the database.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

NO_NUL = r"^[^\x00]*$"
# A required text holds at least one character that is not whitespace. The server trims before checking
# the length, so without this the published schema would admit "\t", which the server then refuses:
# the pattern says in the document what the trim means.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


class Strict(BaseModel):
    """A request body: an unknown field is an error that names it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def bounded(max_length: int, *, min_length: int = 1) -> type[str]:
    """A trimmed string of at most `max_length` characters, without NUL (and not blank when required)."""
    pattern = NOT_BLANK if min_length > 0 else NO_NUL
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,  # type: ignore[return-value]
                                            max_length=max_length, pattern=pattern)]


# Written out (not through bounded()) so that type checkers accept them as types.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=NOT_BLANK)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]  # SIS ids as given
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,20}$")]  # look-for and tag codes
