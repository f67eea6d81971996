"""Property-based tests of every operation in the gateway's merged OpenAPI document (schemathesis):
every service's operations and the gateway's own, with ALL of schemathesis' checks, then its stateful
phase (sequences of calls following the links it infers: create, then read/change/delete what was
created), bounded in time to fit CI.

Driven through schemathesis' Python API (its pytest plugin does not support pytest 9 yet): one
Hypothesis run per operation, all failures collected and reported together.

Where a schema-valid request is refused for a reason no JSON Schema can express (an id that names
nothing in the tenant, a state that forbids the transition, a stale If-Match), the refusal is
declared per operation in `semantic_statuses` (schemathesis' `expected-statuses` of its
positive_data_acceptance check) instead of turning the check off.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.config import SchemathesisConfig

from improvenet.launcher import Platform

EXAMPLES_PER_OPERATION = 6
FUZZ_BUDGET_SECONDS = 75.0  # the whole fuzzing phase; the stateful phase gets its own below
STATEFUL_BUDGET_SECONDS = 30.0
SCOPES = ["hr:read", "hr:write", "hr:pii", "observations:read", "observations:write", "observations:identify",
          "networks:read", "networks:write", "strategy:read", "strategy:write", "admin"]
POSITIVE_DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429"]

# Refusals of schema-valid requests, per operation, beyond the rules in `semantic_statuses`, each with
# why. Keys are "METHOD /path" in the merged document.
EXPLICIT: dict[str, tuple[list[str], str]] = {
    "POST /oauth/token": (["400"], "RFC 6749: unknown client, or a scope the client may not have, is 400/401"),
    "POST /api/v1/strategy/plans": (["422"], "a model rule across fields: a school plan needs school_id"),
    "POST /api/v1/strategy/plans/{plan_id}/statements": (["422"], "a model rule: if_kind measure needs if_measure"),
    "POST /api/v1/partners/subscriptions": (["422"], "client_id must name a tenant client with events:read; "
                                            "a webhook needs a public https url"),
    "GET /api/v1/events": (["422"], "types must be granted to the caller"),
    "POST /api/v1/hr/imports/oneroster": (["422"], "invalid-upload: the binary body must be a zip archive "
                                          "(a generated string is not); what is in it the job reports"),
    "POST /api/v1/hr/imports/edfi": (["422"], "invalid-upload: a multipart `file` part must hold a JSON object"),
}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _has_reference(schema: Any, components: dict[str, Any], depth: int = 0) -> bool:
    """Does this body carry an id (a uuid) that must name something existing in the tenant?"""
    schema = _resolve(schema, components) if isinstance(schema, dict) else schema
    if depth > 8 or not isinstance(schema, dict):
        return False
    if schema.get("format") == "uuid":
        return True
    parts = [*schema.get("properties", {}).values(), schema.get("items"), *schema.get("anyOf", []),
             *schema.get("oneOf", []), *schema.get("allOf", [])]
    return any(_has_reference(p, components, depth + 1) for p in parts if p)


def semantic_statuses(method: str, path: str, operation: dict[str, Any], components: dict[str, Any]) -> list[str]:
    """The refusals a schema-valid request may meet at this operation, and only these:

    - 422 invalid-reference: its body names ids (random ones name nothing in the fuzzing tenant);
    - 412 / 428: it takes If-Match (a generated version is rarely the current one);
    - 400 page_token: its `page_token` is a signed cursor (a generated string is never one);
    - 422 idempotency-key-reused: it takes Idempotency-Key (generated keys repeat with other bodies);
    - 400 max_change_version: it takes a change window (max below min: a relation no schema states);
    - whatever EXPLICIT lists for it.
    """
    extra: list[str] = []
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None and _has_reference(body, components):
        extra.append("422")
    names = {p.get("name", "").lower() for p in operation.get("parameters", [])}
    if "if-match" in names:
        extra += ["412", "428"]
    if "page_token" in names or "max_change_version" in names:
        extra.append("400")
    if "idempotency-key" in names:
        extra.append("422")
    extra += EXPLICIT.get(f"{method.upper()} {path}", ([], ""))[0]
    return sorted(set(extra))


def config_for(doc: dict[str, Any]) -> SchemathesisConfig:
    components = doc.get("components", {}).get("schemas", {})
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            extra = semantic_statuses(method, path, op, components)
            if extra:
                operations.append({"include-name": f"{method.upper()} {path}",
                                   "checks": {"positive_data_acceptance": {
                                       "expected-statuses": POSITIVE_DEFAULT + extra}}})
    return SchemathesisConfig.from_dict({"checks": {"enabled": True}, "operations": operations})


def fuzz(operation: Any, headers: dict[str, str], examples: int) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers)  # no `checks=`: every check schemathesis has

    run()


def test_every_operation_with_all_checks_then_the_stateful_phase(platform: Platform,
                                                                 token_for: Callable[..., str]) -> None:
    doc = httpx.get(f"{platform.gateway_url}/openapi.json", timeout=30).json()
    assert "x-unavailable-services" not in doc["info"], doc["info"]
    schema = schemathesis.openapi.from_url(f"{platform.gateway_url}/openapi.json", config=config_for(doc))
    headers = {"Authorization": f"Bearer {token_for('fuzz', SCOPES)}"}
    failures: list[str] = []
    labels = [op.ok().label for op in schema.get_all_operations()]
    services = {m.group(1) for label in labels if (m := re.search(r" /api/v1/([a-z-]+)/", label))}
    started = time.monotonic()
    for n, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        # Spread the budget over what is left, so the last operation is fuzzed as surely as the first.
        left = FUZZ_BUDGET_SECONDS - (time.monotonic() - started)
        examples = max(2, min(EXAMPLES_PER_OPERATION, int(left / max(1, len(labels) - n) / 0.15)))
        try:
            fuzz(operation, headers, examples)
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failures, report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    fuzzed_in = time.monotonic() - started

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": headers}

    stateful_started = time.monotonic()
    steps = 0
    stateful_failures: dict[str, str] = {}

    class Bounded(Workflow):  # type: ignore[misc,valid-type]
        def step(self, *args: Any, **kwargs: Any) -> Any:
            nonlocal steps
            if time.monotonic() - stateful_started > STATEFUL_BUDGET_SECONDS:
                return None  # the budget is spent: the remaining generated steps call nothing
            steps += 1
            try:
                return super().step(*args, **kwargs)
            except (Exception, BaseExceptionGroup) as exc:
                # Recorded here, not raised: Hypothesis would replay the sequence to shrink it, and a live
                # platform whose state moved on cannot replay it ("inconsistent data generation").
                stateful_failures.setdefault(str(exc)[:200], f"stateful phase: {str(exc)[:2000]}")
                return None

    # One scenario per Hypothesis run, as many runs as the budget allows: the steps a scenario draws
    # depend on what the live platform answered, so Hypothesis must never replay or extend a scenario it
    # has seen (it would report "inconsistent data generation" instead of testing anything).
    scenario = settings(max_examples=1, stateful_step_count=8, deadline=None, database=None,
                        phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    scenarios = 0
    while time.monotonic() - stateful_started < STATEFUL_BUDGET_SECONDS and scenarios < 200:
        scenarios += 1
        try:
            run_state_machine_as_test(Bounded, settings=scenario)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"stateful phase: {str(exc)[:3000]}")
            break
    failures += stateful_failures.values()
    stateful_in = time.monotonic() - stateful_started
    print(f"schemathesis: {len(labels)} operations of {sorted(services)} with all checks in {fuzzed_in:.0f}s; "
          f"stateful phase {stateful_in:.0f}s ({scenarios} scenarios, {steps} calls); {len(failures)} failing")
    assert not failures, "\n\n".join(failures)
    assert {"hr", "observations", "networks", "strategy"} <= services, services
    assert len(labels) == sum(1 for item in doc["paths"].values() for op in item.values() if isinstance(op, dict))
    assert steps >= 20, f"the stateful phase made only {steps} calls"
