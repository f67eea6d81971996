"""Cursor pagination: `page_size` and `page_token` in, `next_page_token` out.

A page token is the position after which the next page starts, signed (HMAC-SHA256): a token this API
did not issue, or one altered, is a 400 problem naming `page_token` before any list code sees it, so a
crafted cursor can never reach a query (it used to answer 500 on hr's lists).

The key is PAGE_TOKEN_SECRET when set; else it is derived from DATABASE_URL (every replica of a
deployment shares it, and it holds the database password, so callers cannot guess it); else it is
random per process (a token then outlives no restart: the client starts its listing again).

`totalCount=true` (Ed-Fi's name) asks for the number of items the whole listing holds, as a `Total-Count`
header; it costs a count query, so it is opt-in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from libs.common.problems import field_error

T = TypeVar("T")
MAX_PAGE_SIZE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_page_token: str | None = Field(None, examples=["eyJrIjpbIjIwMjYtMDktMTQiXX0.q1w2e3r4"],
                                        description="Absent on the last page; pass it as `page_token`.")


class PageRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    size: int
    after: dict[str, Any] | None
    total_count: bool = False
    response: Response | None = Field(None, exclude=True)

    async def count_total(self, session: AsyncSession | AsyncConnection, listing: Select[Any]) -> None:
        """When the caller asked (`totalCount=true`), count what `listing` holds before its cursor and limit
        are applied, into the `Total-Count` header."""
        if self.total_count and self.response is not None:
            total = await session.scalar(
                select(func.count()).select_from(listing.order_by(None).limit(None).subquery()))
            self.response.headers["Total-Count"] = str(total or 0)


def _key() -> bytes:
    secret = os.environ.get("PAGE_TOKEN_SECRET") or os.environ.get("DATABASE_URL")
    material = secret.encode() if secret else secrets.token_bytes(32)
    return hashlib.sha256(b"improvenet page tokens\n" + material).digest()


_KEY = _key()
SIGNATURE_BYTES = 16  # 128 bits: forging one is out of reach, and tokens stay short


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(body: str) -> str:
    return _b64(hmac.new(_KEY, body.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES])


def encode_cursor(position: dict[str, Any]) -> str:
    body = _b64(json.dumps(position, separators=(",", ":")).encode())
    return f"{body}.{_sign(body)}"


def _refused() -> Exception:
    return field_error("page_token", "not a page token this API issued", status=400)


def decode_cursor(token: str) -> dict[str, Any]:
    body, dot, signature = token.partition(".")
    if not dot or not hmac.compare_digest(signature.encode(), _sign(body).encode()):
        raise _refused()
    try:
        value = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise _refused() from exc
    if not isinstance(value, dict):
        raise _refused()
    return value


async def page_request(  # async, as every dependency: a sync one costs a thread hand-off per request
    response: Response,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 50,
    page_token: Annotated[str | None, Query(max_length=512, description="From `next_page_token`.")] = None,
    total_count: Annotated[bool, Query(alias="totalCount", description="`true`: answer the number of items "
                                       "of the whole listing in the `Total-Count` header.")] = False,
) -> PageRequest:
    return PageRequest(size=page_size, after=decode_cursor(page_token) if page_token else None,
                       total_count=total_count, response=response)


PageDep = Annotated[PageRequest, Depends(page_request)]


def page_of(rows: list[T], size: int, position: Any) -> tuple[list[T], str | None]:
    """Rows were fetched with limit size+1: trim, and make the next token from the last row kept."""
    if len(rows) <= size:
        return rows, None
    kept = rows[:size]
    return kept, encode_cursor(position(kept[-1]))
