from __future__ import annotations

import pytest

from gateway.auth import granted_scopes, hash_secret, secret_matches
from gateway.limits import RateLimiter, retry_after
from gateway.openapi import merge
from gateway.routes import required_scope, route
from libs.common.problems import Problem


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == pytest.approx(0.5)  # one token takes half a second at 2/s
    assert limiter.take("b") == 0  # clients do not share a bucket
    clock.now += 0.5
    assert limiter.take("a") == 0
    assert retry_after(0.01) == "1" and retry_after(2.2) == "3"


def test_routes_and_scopes() -> None:
    upstreams = {"hr": "http://hr:8101"}
    assert route("/api/v1/hr/educators/7", upstreams) == ("hr", "http://hr:8101/educators/7")
    assert route("/api/v1/payroll/x", upstreams) is None and route("/other", upstreams) is None
    assert required_scope("hr", "GET") == "hr:read" and required_scope("hr", "PATCH") == "hr:write"


def test_secrets_are_hashed_with_salt() -> None:
    stored = hash_secret("s3cret")
    assert "s3cret" not in stored and stored != hash_secret("s3cret")
    assert secret_matches("s3cret", stored) and not secret_matches("other", stored)
    assert not secret_matches("s3cret", "garbage")


def test_scope_requests_cannot_exceed_the_client() -> None:
    assert granted_scopes(None, ["hr:read", "admin"]) == ["admin", "hr:read"]
    assert granted_scopes("hr:read", ["hr:read", "admin"]) == ["hr:read"]
    with pytest.raises(Problem) as too_much:
        granted_scopes("hr:write", ["hr:read"])
    assert too_much.value.extra["error"] == "invalid_scope"


def test_merged_openapi_prefixes_paths_and_component_names() -> None:
    service = {"paths": {"/schools": {"get": {"operationId": "list", "responses": {"200": {"content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}}, "/healthz": {"get": {}}},
        "components": {"schemas": {"Page": {"type": "object"}}}}
    merged = merge({"openapi": "3.1.0", "paths": {}}, {"hr": service}, "/api/v1", {"hr:read": "read"})
    op = merged["paths"]["/api/v1/hr/schools"]["get"]
    assert op["operationId"] == "hr.list"  # prefixed when the service did not name itself
    assert set(op["responses"]) >= {"502", "504"}  # what the gateway answers for a forwarded call
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/HrPage"
    assert "HrPage" in merged["components"]["schemas"] and "/api/v1/hr/healthz" not in merged["paths"]
