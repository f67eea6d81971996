"""Conditional and strict reads, the same for every component (issue 18, as Ed-Fi ODS/API clients expect).

- `ConditionalGet`: a GET whose `If-None-Match` names the representation's current ETag is answered `304 Not
  Modified` with no body (RFC 9110 §13.1.2, weak comparison; `*` matches any). The route still runs: the
  ETag is the object's version, known only once it is read; what is saved is the transfer.
- `refuse_unknown_query_parameters`: a query parameter the operation does not take is a 400 problem naming it,
  never silently ignored (a typo such as `schoolId=` would otherwise return every school's rows).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.problems import Problem

# Headers a 304 keeps (RFC 9110 §15.4.5): what a cache needs to update its stored response.
KEPT_ON_304 = {b"etag", b"cache-control", b"content-location", b"date", b"expires", b"vary", b"x-request-id"}


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str, current: str) -> bool:
    """True when `If-None-Match` names the current ETag (weak comparison): the client's copy is fresh."""
    if if_none_match.strip() == "*":
        return True
    return _opaque(current) in {_opaque(t) for t in if_none_match.split(",") if t.strip()}


class ConditionalGet:
    """Pure ASGI: turns a 200 to a GET or HEAD into a 304 when the caller already has that version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        wanted = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
        if wanted is None:
            await self.app(scope, receive, send)
            return
        not_modified = False

        async def send_conditionally(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = message.get("headers", [])
                current = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"), None)
                if current is not None and none_match(wanted, current):
                    not_modified = True
                    message = {"type": "http.response.start", "status": 304,
                               "headers": [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return  # the body is not sent; only its end
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, send_conditionally)


CACHED = "_improvenet_query_parameters"  # on the route itself: routes are not hashable


def _query_names(dependant: Any) -> set[str]:
    names = {f.alias for f in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def declared_query_parameters(route: Any) -> frozenset[str] | None:
    """The query parameters a route takes (its own and its dependencies'); None for a route without them
    declared (a mount, a static file), which is left alone."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    declared: frozenset[str] | None = getattr(route, CACHED, None)
    if declared is None:
        declared = frozenset(_query_names(dependant))
        setattr(route, CACHED, declared)
    return declared


async def refuse_unknown_query_parameters(request: Request) -> None:
    """A dependency of every route of a component (FastAPI(dependencies=...) or include_router)."""
    declared = declared_query_parameters(request.scope.get("route"))
    if declared is None:
        return
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        takes = ", ".join(sorted(declared)) or "none"
        raise Problem(400, "Unknown query parameter",
                      f"this operation takes no query parameter {', '.join(unknown)} (it takes: {takes})",
                      slug="unknown-query-parameter",
                      errors=[{"field": name, "message": f"unknown query parameter; it takes: {takes}"}
                              for name in unknown])
