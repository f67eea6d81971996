"""RFC 9457 problem details for every error. Validation errors name the field that was wrong."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# A type is a URI reference (RFC 9457 §3.1.1) resolved against the URL the client called: through the
# gateway, `/problems/<slug>` is the gateway's page for that type (gateway/docs.py), so every type resolves
# on every deployment, and the identifier is the same on all of them.
PROBLEM_BASE = "/problems/"
FORWARDED_PREFIX = "x-forwarded-prefix"  # set by the gateway: the public path in front of a service's own


def public_instance(request: Request) -> str:
    """The path the client called: behind the gateway `/api/v1/<service>` + the service's own path."""
    return request.headers.get(FORWARDED_PREFIX, "") + request.url.path
_STATUS_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
                  405: "Method not allowed", 409: "Conflict", 412: "Precondition failed",
                  413: "Content too large", 415: "Unsupported media type", 422: "Unprocessable content",
                  428: "Precondition required", 429: "Too many requests", 500: "Internal server error",
                  502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}


class Problem(Exception):
    """Raise anywhere to answer with a problem+json response."""

    def __init__(self, status: int, title: str | None = None, detail: str | None = None, *,
                 slug: str | None = None, errors: Sequence[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail or title)
        self.extra = extra or {}  # RFC 9457 extension members
        self.status = status
        self.title = title or _STATUS_TITLES.get(status, "Error")
        self.detail = detail
        self.slug = slug
        self.errors = list(errors or [])
        self.headers = headers or {}


RESPONSE_TEXT = {400: "Malformed request", 401: "Missing, invalid or revoked token", 403: "Scope missing",
                 404: "Not found (or another tenant's)", 409: "Conflicts with existing data or state",
                 410: "Changes before the oldest change version are no longer held", 412: "Stale If-Match",
                 422: "Invalid field", 428: "If-Match required", 429: "Too many requests"}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for problem+json errors, the same wording in every service."""
    return {s: {"description": RESPONSE_TEXT.get(s) or HTTPStatus(s).phrase, "content": {PROBLEM_JSON: {}}}
            for s in statuses}


def not_found(what: str) -> Problem:
    return Problem(404, "Not found", f"{what} not found", slug="not-found")


def field_error(field: str, message: str, *, status: int = 422, title: str = "Invalid request",
                slug: str = "validation-error") -> Problem:
    return Problem(status, title, f"{field}: {message}", slug=slug,
                   errors=[{"field": field, "message": message}])


# SQLSTATEs that mean "the database is not there right now", not "the request was wrong": class 08
# (connection), 57P01-57P03 (shutdown, cannot connect now), 53300 (too many connections), 55000 with a
# database that does not accept connections.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
DATABASE_RETRY_AFTER = "5"


def is_connection_failure(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) says the database cannot be reached: a 503, not a 500."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OSError, PoolTimeout, InterfaceError, OperationalError, TimeoutError)):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate.startswith(UNAVAILABLE_SQLSTATES) or (
                sqlstate == "55000" and "accepting connections" in str(current))):
            return True
        module = type(current).__module__
        if module.startswith("asyncpg") and type(current).__name__ in (
                "PostgresConnectionError", "ConnectionDoesNotExistError", "InterfaceError",
                "CannotConnectNowError", "ConnectionFailureError", "TooManyConnectionsError"):
            return True
        current = current.__cause__ or current.__context__ or getattr(current, "orig", None)
    return False


def unavailable_response(instance: str | None = None) -> JSONResponse:
    return problem_response(503, "Service unavailable", "the service's database is unavailable; retry later",
                            slug="database-unavailable", headers={"Retry-After": DATABASE_RETRY_AFTER},
                            instance=instance)


def problem_body(status: int, title: str, detail: str | None = None, *, slug: str | None = None,
                 errors: Sequence[dict[str, Any]] | None = None, instance: str | None = None,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug if slug else "about:blank", "title": title,
                            "status": status, **(extra or {})}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    return body


def problem_response(status: int, title: str | None = None, detail: str | None = None, *,
                     slug: str | None = None, errors: Sequence[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None, instance: str | None = None,
                     extra: dict[str, Any] | None = None) -> JSONResponse:
    body = problem_body(status, title or _STATUS_TITLES.get(status, "Error"), detail, slug=slug,
                        errors=errors, instance=instance, extra=extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_path(loc: Sequence[str | int]) -> str:
    """('body', 'items', 3, 'name') -> 'items[3].name'; ('query', 'page_size') -> 'page_size'."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or (str(loc[0]) if loc else "body")


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = e.get("loc", ())
        message = e.get("msg", "invalid")
        if e.get("type") == "json_invalid":  # loc holds a character position, not a field
            loc = ("body",)
        if e.get("type") == "extra_forbidden":
            message = "unknown field"
        out.append({"field": field_path(loc), "location": loc[0] if loc else "body",
                    "message": message, "type": e.get("type")})
    return out


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, slug=exc.slug, errors=exc.errors,
                                headers=exc.headers, instance=public_instance(request), extra=exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        if any(e["type"] == "json_invalid" for e in errors):
            return problem_response(400, "Malformed JSON", "the request body is not valid JSON",
                                    slug="malformed-json", errors=errors, instance=public_instance(request))
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(422, "Invalid request", detail, slug="validation-error", errors=errors,
                                instance=public_instance(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(exc.status_code, None, detail, headers=dict(exc.headers or {}),
                                instance=public_instance(request))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or ""
        field = constraint.split("__")[-1] if "__" in constraint else None
        errors = [{"field": field, "message": "already used by another record"}] if field else None
        return problem_response(409, "Conflict", f"{field or 'the request'} conflicts with existing data",
                                slug="conflict", errors=errors, instance=public_instance(request))

    @app.exception_handler(DBAPIError)
    async def _data(request: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 (data exception): a value PostgreSQL cannot store or compare, such as a NUL
        # character in text. The caller's input, not our failure.
        if is_connection_failure(exc):
            log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
            return unavailable_response(public_instance(request))
        sqlstate = getattr(getattr(exc.orig, "__cause__", None), "sqlstate", None) or ""
        if sqlstate.startswith("22"):
            return problem_response(422, "Invalid value", "a value in the request cannot be stored "
                                    "(for example a NUL character in text)", slug="invalid-value",
                                    instance=public_instance(request))
        log.exception("database error on %s %s", request.method, request.url.path)
        return problem_response(500, "Internal server error", "an unexpected error occurred; it was logged",
                                instance=public_instance(request))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_connection_failure(exc):
            log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
            return unavailable_response(public_instance(request))
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "Internal server error", "an unexpected error occurred; it was logged",
                                instance=public_instance(request))
