"""Cursor pagination: `page_size` and `page_token` in, `next_page_token` out."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from libs.common.problems import field_error

T = TypeVar("T")
MAX_PAGE_SIZE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_page_token: str | None = None


class PageRequest(BaseModel):
    size: int
    after: dict[str, Any] | None


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise field_error("page_token", "not a page token this API issued", status=400) from exc
    if not isinstance(value, dict):
        raise field_error("page_token", "not a page token this API issued", status=400)
    return value


def page_request(
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 50,
    page_token: Annotated[str | None, Query(max_length=512, description="From `next_page_token`.")] = None,
) -> PageRequest:
    return PageRequest(size=page_size, after=decode_cursor(page_token) if page_token else None)


PageDep = Annotated[PageRequest, Depends(page_request)]


def page_of(rows: list[T], size: int, position: Any) -> tuple[list[T], str | None]:
    """Rows were fetched with limit size+1: trim, and make the next token from the last row kept."""
    if len(rows) <= size:
        return rows, None
    kept = rows[:size]
    return kept, encode_cursor(position(kept[-1]))
