"""HTTP helpers every route uses: the write session, ETag and Location responses, request ids.

A use case owns its transaction: `WriteSession` begins it before the route function runs and
commits after it returns, before the response is sent, so a failed commit is the caller's error
response and never a success that did not happen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.concurrency import etag

FORWARDED_PREFIX = "x-forwarded-prefix"  # set by the gateway: the public path in front of a service's own


async def read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


async def write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(read_session)]
WriteSession = Annotated[AsyncSession, Depends(write_session, scope="function")]


def request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")  # type: ignore[no-any-return]


def public_path(request: Request, path: str) -> str:
    """A service path as the caller reaches it (through the gateway's prefix, or directly)."""
    return request.headers.get(FORWARDED_PREFIX, "") + path


def _body(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    return jsonable_encoder(body)


def with_etag(body: Any, version: int, *, status: int = 200, headers: Mapping[str, str] | None = None
              ) -> JSONResponse:
    """A JSON response carrying the object's version as its ETag (for the next If-Match)."""
    return JSONResponse(_body(body), status_code=status, headers={"ETag": etag(version), **(headers or {})})


def created(request: Request, path: str, body: Any, version: int | None = None) -> JSONResponse:
    """201 with Location (the public path of the new object) and, when versioned, its ETag."""
    headers = {"Location": public_path(request, path)}
    if version is not None:
        headers["ETag"] = etag(version)
    return JSONResponse(_body(body), status_code=201, headers=headers)
