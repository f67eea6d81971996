"""Streaming reverse proxy over one shared httpx.AsyncClient."""

from __future__ import annotations

import logging

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from libs.common.problems import problem_response

log = logging.getLogger(__name__)
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                        "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length",
                        "x-forwarded-prefix"})
RETRY_AFTER_SECONDS = "5"


def create_client(*, timeout: float, connect_timeout: float, max_connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
    )


def forward_headers(request: Request, request_id: str, prefix: str) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k not in HOP_BY_HOP and k != "x-request-id"]
    headers.append(("x-request-id", request_id))
    client = request.client.host if request.client else ""
    prior = request.headers.get("x-forwarded-for")
    headers.append(("x-forwarded-for", f"{prior}, {client}" if prior else client))
    headers.append(("x-forwarded-proto", request.url.scheme))
    headers.append(("x-forwarded-prefix", prefix))  # so services write Location headers callers can use
    return headers


async def proxy(client: httpx.AsyncClient, request: Request, service: str, url: str, prefix: str,
                body: bytes | None = None) -> Response:
    """Forward the request; `body`, when given, was already read (and size-checked) by the caller."""
    request_id: str = request.scope["state"]["request_id"]
    has_body = request.method not in ("GET", "HEAD", "OPTIONS", "DELETE") or "content-length" in request.headers
    content = body if body is not None else (request.stream() if has_body else None)
    upstream_request = client.build_request(
        request.method, url, params=request.url.query or None,
        headers=forward_headers(request, request_id, prefix), content=content,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException:
        log.warning("upstream %s timed out", service)
        return problem_response(504, "Gateway timeout", f"the {service} service did not answer in time",
                                slug="upstream-timeout", instance=request.url.path)
    except httpx.ConnectError:
        log.warning("upstream %s unreachable", service)
        return problem_response(503, "Service unavailable", f"the {service} service is unavailable; retry later",
                                slug="upstream-unavailable", headers={"Retry-After": RETRY_AFTER_SECONDS},
                                instance=request.url.path)
    except httpx.HTTPError as exc:
        log.warning("upstream %s failed: %r", service, exc)
        return problem_response(502, "Bad gateway", f"the {service} service gave no valid answer",
                                slug="upstream-error", instance=request.url.path)
    headers = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in HOP_BY_HOP
               and k.lower() != "x-request-id"]
    response = StreamingResponse(upstream.aiter_raw(), status_code=upstream.status_code,
                                 background=BackgroundTask(upstream.aclose))
    for k, v in headers:
        response.headers.append(k, v)
    return response
