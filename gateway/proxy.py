"""The proxy: `/api/v1/<service>/...` to that service, after the token, its scope, the client's rate
and the body size are checked; streamed over one shared aiohttp client session.

Why aiohttp here and httpx elsewhere: httpx's connection pool inspects every pooled connection on
every request; at 32 concurrent requests that cost the gateway ~3.8 ms of CPU per request (measured
with py-spy under wrk). aiohttp's connector does the same job for a fraction of that. The gateway's
other calls (readiness, OpenAPI documents) stay on httpx.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

import aiohttp
from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from opentelemetry.propagate import inject
from starlette.responses import Response, StreamingResponse

from gateway.identity.principal import principal_of
from gateway.limits import check_rate, too_large
from gateway.routes import API_PREFIX, required_scope, route
from libs.common.auth import bearer, insufficient_scope
from libs.common.problems import Problem, problem_response

log = logging.getLogger(__name__)
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                        "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length",
                        "x-forwarded-prefix"})
RETRY_AFTER_SECONDS = "5"
# An answer of known length up to this size is read whole and sent in one piece; a larger one, or one
# without a length (an export, a long-poll feed), streams through.
BUFFERED_MAX_BYTES = 256 * 1024
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
BODY_METHODS = {"POST", "PUT", "PATCH"}


def create_session(*, timeout: float, connect_timeout: float, max_connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        # Closing aborted TLS transports by hand is needed only on Pythons without CPython's fix (aiohttp's test).
        connector=aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=30,
                                       enable_cleanup_closed=aiohttp.connector.NEEDS_CLEANUP_CLOSED),
        timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout),
        auto_decompress=False,  # bytes pass through as the service sent them
        skip_auto_headers=("User-Agent", "Accept-Encoding"),
    )


def forward_headers(request: Request, request_id: str, prefix: str) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k not in HOP_BY_HOP and k != "x-request-id"}
    headers["x-request-id"] = request_id
    client = request.client.host if request.client else ""
    prior = request.headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{prior}, {client}" if prior else client
    headers["x-forwarded-proto"] = request.url.scheme
    headers["x-forwarded-prefix"] = prefix  # so services write Location headers callers can use
    inject(headers)  # the gateway's span (when tracing) becomes the service's parent
    return headers


async def proxy(session: aiohttp.ClientSession, request: Request, service: str, url: str, prefix: str,
                body: bytes | None = None) -> Response:
    """Forward the request; `body`, when given, was already read (and size-checked) by the caller."""
    request_id: str = request.scope["state"]["request_id"]
    has_body = request.method not in ("GET", "HEAD", "OPTIONS", "DELETE") or "content-length" in request.headers
    data: bytes | AsyncIterator[bytes] | None = body if body is not None else (
        request.stream() if has_body else None)
    if request.url.query:
        url = f"{url}?{request.url.query}"
    try:
        upstream = await session.request(request.method, url, headers=forward_headers(request, request_id, prefix),
                                         data=data, allow_redirects=False)
    except TimeoutError:
        log.warning("upstream %s timed out", service)
        return problem_response(504, "Gateway timeout", f"the {service} service did not answer in time",
                                slug="upstream-timeout", instance=request.url.path)
    except aiohttp.ClientConnectorError:
        log.warning("upstream %s unreachable", service)
        return problem_response(503, "Service unavailable", f"the {service} service is unavailable; retry later",
                                slug="upstream-unavailable", headers={"Retry-After": RETRY_AFTER_SECONDS},
                                instance=request.url.path)
    except aiohttp.ClientError as exc:
        log.warning("upstream %s failed: %r", service, exc)
        return _bad_gateway(request, service)
    headers = [(k, v) for k, v in upstream.headers.items()
               if k.lower() not in HOP_BY_HOP and k.lower() != "x-request-id"]
    length = upstream.content_length
    if length is not None and length <= BUFFERED_MAX_BYTES and request.method != "HEAD":
        # Most answers: read whole (which hands the connection back to the pool) and sent in one piece.
        # Streaming them cost a thread hand-off per request (Starlette runs a sync background task in its
        # thread pool), about a tenth of the gateway's CPU under load.
        try:
            content = await upstream.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("upstream %s broke off its answer: %r", service, exc)
            return _bad_gateway(request, service)
        finally:
            upstream.release()
        response: Response = Response(content, status_code=upstream.status)
    else:
        response = StreamingResponse(_body(upstream, service), status_code=upstream.status)
    for k, v in headers:
        response.headers.append(k, v)
    return response


def _bad_gateway(request: Request, service: str) -> Response:
    return problem_response(502, "Bad gateway", f"the {service} service gave no valid answer",
                            slug="upstream-error", instance=request.url.path)


async def _body(upstream: aiohttp.ClientResponse, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.content.iter_any():
            yield chunk
    except (aiohttp.ClientError, TimeoutError) as exc:
        # Headers are already sent: all that is left is to end the response early, and say so.
        log.warning("upstream %s broke off its answer: %r", service, exc)
    finally:
        upstream.release()  # here, not in a background task: a sync one would run in a thread


async def limited_body(request: Request, limit: int) -> bytes | None:
    """Refuse (413) a body over the limit before anything reaches a service (BodyLimitMiddleware has
    already refused most; this is the proxy's own guard). A body with a length streams through."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise Problem(400, "Bad request", "invalid Content-Length", slug="bad-content-length")
        if int(length) > limit:
            raise too_large(limit)
        return None
    if request.method not in BODY_METHODS:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


router = APIRouter(include_in_schema=False)


@router.api_route(API_PREFIX + "/{service}/{path:path}", methods=METHODS)
async def forward(request: Request, service: str, path: str,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Response:
    state = request.app.state
    upstreams: dict[str, str] = state.upstreams
    target = route(request.url.path, upstreams)
    if target is None:
        return problem_response(404, "Not found", f"no service named {service!r}; try one of "
                                + ", ".join(upstreams), slug="unknown-service", instance=request.url.path)
    principal = await principal_of(request, credentials)
    scope = required_scope(service, request.method)
    if not (principal.has(scope) or principal.has("admin")):
        raise insufficient_scope(scope)
    check_rate(request, f"{principal.issuer}|{principal.subject}")
    body = await limited_body(request, state.settings.body_limit(request.url.path))
    return await proxy(state.session, request, *target, prefix=f"{API_PREFIX}/{service}", body=body)
