"""The prefix table: `/api/v1/<service>/...` goes to that service's `/...`."""

from __future__ import annotations

API_PREFIX = "/api/v1"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def required_scope(service: str, method: str) -> str:
    """The coarse scope the gateway checks: reading a service, or changing it.

    Services check again, finer: personal data (`hr:pii`), teacher identity, tenant and schools.
    """
    return f"{service}:{'read' if method.upper() in READ_METHODS else 'write'}"


def route(path: str, upstreams: dict[str, str]) -> tuple[str, str] | None:
    """(service, upstream URL) for a gateway path, or None when no service owns it."""
    if not path.startswith(API_PREFIX + "/"):
        return None
    service, _, rest = path[len(API_PREFIX) + 1:].partition("/")
    base = upstreams.get(service)
    if base is None:
        return None
    return service, f"{base}/{rest}"
