"""Property-based tests of every operation in the gateway's merged OpenAPI document (schemathesis),
bounded to fit CI: no server errors, and every documented response matches its schema.

Driven through schemathesis' Python API (its pytest plugin does not support pytest 9 yet): one
Hypothesis run per operation, all failures collected and reported together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from improvenet.launcher import Platform

EXAMPLES_PER_OPERATION = 12
SCOPES = ["hr:read", "hr:write", "hr:pii", "observations:read", "observations:write", "networks:read",
          "networks:write", "strategy:read", "strategy:write", "admin"]


def fuzz(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    run()


def test_no_server_errors_and_responses_match_the_schema(platform: Platform,
                                                         token_for: Callable[..., str]) -> None:
    schema = schemathesis.openapi.from_url(f"{platform.gateway_url}/openapi.json")
    headers = {"Authorization": f"Bearer {token_for('fuzz', SCOPES)}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            fuzz(operation, headers)
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failures, report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    print(f"schemathesis: {operations} operations, up to {EXAMPLES_PER_OPERATION} examples each")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
