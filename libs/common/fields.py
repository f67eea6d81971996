"""Field types every API model uses: strict bodies and bounded, NUL-free strings.

PostgreSQL cannot store a NUL character in text; refusing it at the field names the field in the 422
instead of failing at the database.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

NO_NUL = r"^[^\x00]*$"


class Strict(BaseModel):
    """A request body: an unknown field is an error that names it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def bounded(max_length: int, *, min_length: int = 1) -> type[str]:
    """A trimmed string of at most `max_length` characters, without NUL."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,  # type: ignore[return-value]
                                            max_length=max_length, pattern=NO_NUL)]


# Written out (not through bounded()) so that type checkers accept them as types.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]  # SIS ids as given
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,20}$")]  # look-for and tag codes
