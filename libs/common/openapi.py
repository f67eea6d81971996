"""The API contract every component publishes, the same everywhere: operation ids `<service>.<verbResource>`,
the RFC 9457 `Problem` schema on every error response, every status an operation can answer, the headers
it sets, and one OAuth2 requirement per operation naming its scopes.

FastAPI writes the document from the routes; this finishes it in one place instead of repeating response
declarations on every route (the statuses below are what the shared mechanisms answer: authentication,
validation, the body limit, the database probe, optimistic concurrency, idempotency).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from libs.common.openapi_examples import compose_examples, example_of, restore_nulls
from libs.common.problems import PROBLEM_JSON, RESPONSE_TEXT

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "title": "Problem",
        "type": "object",
        "description": "An RFC 9457 problem: `type` links to its page at the gateway (/problems/<slug>).",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string", "description": "The problem type, a URI reference.",
                     "examples": ["/problems/validation-error"]},
            "title": {"type": "string", "examples": ["Invalid request"]},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "examples": [422]},
            "detail": {"type": ["string", "null"], "examples": ["school_id: no such school in this tenant"]},
            "instance": {"type": ["string", "null"], "description": "The path that was called.",
                         "examples": ["/api/v1/hr/educators"]},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"},
                       "description": "Each field that was wrong (validation and reference problems)."},
        },
        "additionalProperties": True,  # a type may add members (RFC 9457 §3.2), e.g. oldest_change_version
    },
    "ProblemFieldError": {
        "title": "ProblemFieldError",
        "type": "object",
        "required": ["field", "message"],
        "properties": {"field": {"type": ["string", "null"], "examples": ["items[2].school_id"]},
                       "message": {"type": "string", "examples": ["no such school in this tenant"]}},
        "additionalProperties": True,
    },
}
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
HEADERS: dict[str, dict[str, Any]] = {
    "Location": {"description": "The created resource's URL.", "schema": {"type": "string"}},
    "ETag": {"description": "The representation's version; send it back as If-Match to change it.",
             "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request with "
                            "the same Idempotency-Key.", "schema": {"type": "string", "enum": ["true"]}},
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}},
    "Total-Count": {"description": "With `totalCount=true`: how many items the whole listing holds.",
                    "schema": {"type": "integer"}},
}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "The ETag you hold: 304 with no body when it is still the current one."}
METHODS = ("get", "put", "post", "delete", "patch")
BODY_METHODS = ("put", "post", "patch")


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def singular(segment: str) -> str:
    """`problems-of-practice` -> `problem-of-practice`, `residencies` -> `residency` (enough for our paths)."""
    words = segment.split("-")
    at = 0 if "of" in words else len(words) - 1
    word = words[at]
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    words[at] = word
    return "-".join(words)


def _pascal(segment: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.]", segment) if part)


def operation_name(name: str, method: str, path: str) -> str:
    """`createEducator` from `create_educator`. A route named by its verb alone takes the resource from its
    path: `end` at /residencies/{id}/end -> `endResidency`; a GET named by a noun is `get<Noun>`."""
    if "_" in name:
        return camel_case(name)
    literals = [s for s in path.strip("/").split("/") if s and not s.startswith("{")]
    if method == "GET" and name not in ("read", "list"):
        last = literals[-1] if literals else name
        return "get" + _pascal(last if last.replace("-", "").endswith(name) else name)
    resources = [s for s in literals if not s.startswith(name[:5])]  # not the verb's own segment
    return name + (_pascal(singular(resources[-1])) if resources else "")


def operation_id_function(service: str) -> Callable[[APIRoute], str]:
    """`hr.createEducator`: the service, then the operation's name (see `operation_name`)."""
    def operation_id(route: APIRoute) -> str:
        method = sorted(route.methods or {"GET"})[0]
        return f"{service}.{operation_name(route.name, method, route.path_format)}"

    return operation_id


def contract_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """An `app.openapi` that finishes FastAPI's document once and caches it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=app.routes)
            app.openapi_schema = finish(document)
        return app.openapi_schema

    return openapi


def finish(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(PROBLEM_SCHEMAS)
    compose_examples(schemas)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                finish_operation(method, path, operation, schemas)
    return document


def _parameter(operation: dict[str, Any], name: str, location: str = "header") -> dict[str, Any] | None:
    return next((p for p in operation.get("parameters", [])
                 if p.get("in") == location and p.get("name", "").lower() == name.lower()), None)


def error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """What the shared mechanisms can answer for this operation, beyond what the route declared."""
    # the gateway's rate limit; an unexpected error; the database unreachable; an unknown query parameter
    statuses = {400, 429, 500, 503}
    if operation.get("security"):
        statuses |= {401, 403}
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if parameters or operation.get("requestBody"):
        statuses.add(422)
    if method in BODY_METHODS and operation.get("requestBody"):
        statuses |= {400, 413, 415}  # malformed JSON, over the body limit, not JSON
    if _parameter(operation, "If-Match"):
        statuses |= {412, 428}
    if _parameter(operation, "Idempotency-Key"):
        statuses.add(409)  # the same key while its first request is still running
    if _parameter(operation, "min_change_version", "query"):
        statuses.add(410)  # a change query from below what the tombstones still hold
    return statuses


def finish_operation(method: str, path: str, operation: dict[str, Any],
                     schemas: dict[str, dict[str, Any]] | None = None) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if_match = _parameter(operation, "If-Match")
    if if_match is None:
        for code in ("412", "428"):  # declared by habit on routes that take no If-Match
            responses.pop(code, None)
    else:
        if_match["required"] = True  # answered 428 without it
        if_match.setdefault("description", "The ETag you read; 428 without it, 412 if it is stale.")
    for status in error_statuses(method, operation):
        responses.setdefault(str(status), {})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            response["description"] = response.get("description") or RESPONSE_TEXT.get(int(code)) or \
                HTTPStatus(int(code)).phrase
            if response["description"] == "Validation Error":
                response["description"] = RESPONSE_TEXT[422]
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            if code in ("429", "503"):
                response.setdefault("headers", {})["Retry-After"] = HEADERS["Retry-After"]
    document_headers(method, path, operation, responses)
    if method == "get" and "ETag" in responses.get("200", {}).get("headers", {}):
        operation.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
        responses["304"] = {"description": "Not Modified: the ETag sent as If-None-Match is still current.",
                            "headers": {"ETag": HEADERS["ETag"]}}
    show_examples(operation, schemas)
    merge_security(operation)
    describe(method, operation)


def show_examples(operation: dict[str, Any], schemas: dict[str, dict[str, Any]] | None) -> None:
    """The request body's and each success body's example, at the media type where every viewer shows it."""
    bodies = [operation.get("requestBody", {})] + [r for code, r in operation.get("responses", {}).items()
                                                   if code.startswith("2")]
    for body in bodies:
        for media_type, media in body.get("content", {}).items():
            if "json" not in media_type or "examples" in media or "schema" not in media:
                continue
            if "example" in media:  # declared on the route
                restore_nulls(media["example"], media["schema"], schemas or {})
                continue
            value = example_of(media["schema"], schemas or {})
            if value is not None:
                media["example"] = value


def describe(method: str, operation: dict[str, Any]) -> None:
    """The route's own docstring, then what every caller must know about this operation: its scope, and
    how retries, concurrency and paging work here."""
    facts: list[str] = []
    scopes = [s for requirement in operation.get("security", []) for s in requirement.get("oauth2", [])]
    if scopes:
        facts.append("Needs the scope " + " and ".join(f"`{s}`" for s in scopes) + " (or `admin`).")
    elif operation.get("security"):
        facts.append("Needs an access token of the tenant.")
    else:
        facts.append("Needs no token.")
    if _parameter(operation, "Idempotency-Key"):
        facts.append("Send an `Idempotency-Key` to make a retry safe: the same key and body get the first "
                     "answer again (`Idempotent-Replayed: true`).")
    if _parameter(operation, "If-Match"):
        facts.append("Send the `ETag` you read as `If-Match`: 428 without it, 412 when someone changed it since.")
    if _parameter(operation, "page_token", "query"):
        facts.append("Paged: pass `next_page_token` back as `page_token` until it is absent; `totalCount=true` "
                     "adds the whole listing's count as `Total-Count`.")
    if _parameter(operation, "min_change_version", "query"):
        facts.append("A change query with `min_change_version`/`max_change_version` (see "
                     "`available-change-versions`): only what changed in that window; 410 below the oldest "
                     "version still held.")
    if _parameter(operation, "If-None-Match"):
        facts.append("Send the `ETag` you hold as `If-None-Match`: 304 with no body if it has not changed.")
    if "201" in operation.get("responses", {}):
        facts.append("Answers 201 with the created resource; `Location` is its URL.")
    own = (operation.get("description") or "").strip()
    operation["description"] = "\n\n".join(p for p in (own, " ".join(facts)) if p)


def document_headers(method: str, path: str, operation: dict[str, Any], responses: dict[str, Any]) -> None:
    for code, response in responses.items():
        if not (code.isdigit() and 200 <= int(code) < 300):
            continue
        headers = response.setdefault("headers", {})
        if code == "201":
            headers["Location"] = HEADERS["Location"]
        one_object = path.endswith("}") or _parameter(operation, "If-Match")
        if method in ("get", "put", "patch") and code == "200" and one_object:
            headers["ETag"] = HEADERS["ETag"]
        if method == "get" and code == "200" and _parameter(operation, "totalCount", "query"):
            headers["Total-Count"] = HEADERS["Total-Count"]
        if _parameter(operation, "Idempotency-Key"):
            headers["Idempotent-Replayed"] = HEADERS["Idempotent-Replayed"]
        if not headers:
            response.pop("headers")


def merge_security(operation: dict[str, Any]) -> None:
    """FastAPI lists one requirement per dependency path (`[{"oauth2": []}, {"oauth2": ["hr:read"]}]`,
    which reads "either"); the operation needs all of them: one requirement with every scope."""
    requirements = operation.get("security")
    if not requirements:
        return
    merged: dict[str, list[str]] = {}
    for requirement in requirements:
        for scheme, scopes in requirement.items():
            merged.setdefault(scheme, [])
            merged[scheme] += [s for s in scopes if s not in merged[scheme]]
    operation["security"] = [merged]

