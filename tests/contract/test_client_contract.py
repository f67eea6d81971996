"""Every call the SDK makes exists in the merged OpenAPI document, as the gateway publishes it (built offline
from the same apps, like gateway/docs.py does): method and path template, the path's parameters by name,
an `Idempotency-Key` on each creating call, cursor parameters on each paged one."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from improvenet_client import operations as ops
from improvenet_client._core import API_PREFIX

from improvenet.registry import COMPONENTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    os.environ.setdefault("DATABASE_URL", "postgresql+asyncpg://contract:check@127.0.0.1:1/postgres")
    from gateway.docs import build_document

    apps = {c.name: getattr(importlib.import_module(c.app_factory.split(":")[0]), c.app_factory.split(":")[1])()
            for c in COMPONENTS}
    scopes = {scope: text for c in COMPONENTS for scope, text in c.scopes.items()}
    service_docs = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    return build_document(apps["gateway"], json.loads(json.dumps(service_docs)), scopes)


def shape(path: str) -> str:
    """A template with its parameter names blanked: `/visits/{visit_id}` and `/visits/{id}` are one route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def operation(document: dict[str, Any], op: ops.Operation[Any]) -> tuple[str, dict[str, Any]]:
    wanted = shape(API_PREFIX + op.path)
    for path, item in document["paths"].items():
        if shape(path) == wanted and op.method.lower() in item:
            return path, item[op.method.lower()]
    raise AssertionError(f"{op.name}: {op.method} {API_PREFIX}{op.path} is not in the merged OpenAPI document")


def test_the_sdk_registers_its_calls() -> None:
    assert len(ops.OPERATIONS) >= 40
    assert len({o.name for o in ops.OPERATIONS}) == len(ops.OPERATIONS)


@pytest.mark.parametrize("op", ops.OPERATIONS, ids=lambda o: o.name)
def test_every_sdk_call_is_in_the_merged_openapi(document: dict[str, Any], op: ops.Operation[Any]) -> None:
    path, spec = operation(document, op)
    declared = {p["name"] for p in spec.get("parameters", []) if p["in"] == "path"}
    assert declared == set(re.findall(r"\{([^}]+)\}", path))
    # the SDK fills the path by position-free names: they must be the document's names
    assert set(re.findall(r"\{([^}]+)\}", op.path)) == declared, (op.path, path)
    headers = {p["name"].lower() for p in spec.get("parameters", []) if p["in"] == "header"}
    if op.creates:
        assert "idempotency-key" in headers, f"{op.name} sends Idempotency-Key but the route ignores it"
    query = {p["name"] for p in spec.get("parameters", []) if p["in"] == "query"}
    # the SDK follows cursors exactly where the route has them
    assert op.paged == ({"page_size", "page_token"} <= query), op.name


def test_creating_routes_that_take_a_key_get_one(document: dict[str, Any]) -> None:
    """The other way round: a POST the SDK wraps whose route takes an Idempotency-Key is marked `creates`."""
    for op in ops.OPERATIONS:
        _, spec = operation(document, op)
        takes_key = any(p["in"] == "header" and p["name"].lower() == "idempotency-key"
                        for p in spec.get("parameters", []))
        if op.method == "POST" and takes_key:
            assert op.creates, f"{op.name}: mark it creates=True so retries are safe"


def test_the_token_endpoint_is_where_the_sdk_asks(document: dict[str, Any]) -> None:
    assert "post" in document["paths"]["/oauth/token"]
    flows = document["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token"


def test_the_client_installs_alone_without_the_servers_dependencies(tmp_path: Path) -> None:
    """`pip install ./libs/client` into a fresh virtual environment: its dependencies come from the package
    index (or pip's cache), the console script runs, and nothing of the server comes along."""
    source = tmp_path / "client"
    shutil.copytree(ROOT / "libs" / "client", source, ignore=shutil.ignore_patterns("*.egg-info", "build",
                                                                                     "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    shown = subprocess.run([str(venv / "bin" / "improvenet"), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "rounds" in shown.stdout and "commitments" in shown.stdout, shown.stderr
    installed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                               timeout=60, check=True)
    names = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert {"improvenet-client", "httpx", "typer", "rich", "plotext", "matplotlib"} <= names
    # (pydantic may come: typer 0.29 depends on it; the server's web and database stack must not)
    assert not names & {"fastapi", "sqlalchemy", "sqlmodel", "asyncpg", "starlette", "uvicorn", "alembic",
                        "improvenet"}
    # and the SDK imports in it, with nothing of the server importable
    probe = subprocess.run([str(python), "-c", "import improvenet_client, importlib.util as u; "
                            "print(all(u.find_spec(m) is None for m in ('libs', 'services', 'gateway', 'fastapi')))"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert probe.stdout.strip() == "True", probe.stderr


def dummy(annotation: str, name: str = "") -> Any:
    """An argument of the parameter's annotated type (the values do not matter: the shape of the call does,
    save a service and resource of the change queries, which pick the route)."""
    if name in ("service", "resource"):
        return {"service": "hr", "resource": "educators"}[name]
    if annotation == "bytes":
        return b"PK"
    if annotation == "bool":
        return False
    if annotation == "float":
        return 1.0
    if annotation.startswith("Callable"):
        return lambda *_: None
    if annotation.startswith(("Sequence", "list")):
        return [{}] if "Body" in annotation else ["x"]
    if annotation.startswith(("Body", "Mapping")):
        return {}
    if annotation == "int":
        return 1
    return "00000000-0000-4000-8000-000000000001"


# A person's sign-in speaks OAuth at the gateway's root (/oauth/..., /identity/me), not the /api/v1 operations
# these tests match; tests/unit/client/test_person_tokens.py covers those calls.
SIGN_IN_METHODS = ("me", "sign_out", "start_device_login", "poll_device_login")


def registered_operation(request: Any) -> ops.Operation[Any] | None:
    """The registered operation a request is, the most literal match first: /educators/deletes is that
    route, not /educators/{record_id}."""
    return min((o for o in ops.OPERATIONS if o.method == request.method
                and re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(API_PREFIX + o.path)), request.url.path)),
               key=lambda o: o.path.count("{"), default=None)


@pytest.fixture(scope="module")
def sdk_calls() -> dict[str, list[Any]]:
    """Each public method of `Client`, called once through a recording transport with an argument of every
    named parameter (optional ones too): the requests it made, by method name."""
    import inspect

    import httpx
    from improvenet_client import Client

    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "records": [], "access_token": "t", "expires_in": 3600,
                                         "status": "succeeded", "next_cursor": "0"})

    api = Client("http://gw.test", "cli", "secret", transport=httpx.MockTransport(record))
    methods = [name for name, fn in inspect.getmembers(Client, inspect.isfunction) if not name.startswith("_")
               and name not in ("close", "authenticate", *SIGN_IN_METHODS)]
    calls: dict[str, list[Any]] = {}
    for name in methods:
        fn = getattr(api, name)
        parameters = inspect.signature(fn).parameters
        args = {p.name: dummy(str(p.annotation), p.name) for p in parameters.values()
                if p.kind is not inspect.Parameter.VAR_KEYWORD}
        # the change queries pick their route by service and resource: every one the SDK tracks
        routes = [{"service": s, "resource": r} for s, rs in ops.TRACKED.items() for r in rs] \
            if "resource" in parameters else [{"service": s} for s in ops.TRACKED] if "service" in parameters else [{}]
        before = len(seen)
        for route in routes:
            result = fn(**{**args, **route})
            if inspect.isgenerator(result):
                list(itertools.islice(result, 3))  # a feed's follower never ends: three pages show its calls
        calls[name] = [r for r in seen[before:] if r.url.path != "/oauth/token"]
    return calls


def test_every_sdk_method_calls_a_documented_route_with_documented_parameters(
        document: dict[str, Any], sdk_calls: dict[str, list[Any]]) -> None:
    """Each public method of `Client`, called through a recording transport: its method, path and query
    parameter names are the document's (so a renamed filter fails here too, not only a renamed path)."""
    assert len(sdk_calls) >= 140
    for name, calls in sdk_calls.items():
        assert calls, f"{name} made no call"
        for request in calls:
            op = registered_operation(request)
            assert op is not None, f"{name}: {request.method} {request.url.path} is no registered operation"
            _, spec = operation(document, op)
            declared = {p["name"] for p in spec.get("parameters", []) if p["in"] == "query"}
            assert set(request.url.params.keys()) <= declared, (name, set(request.url.params.keys()) - declared)
            if request.method in ("POST", "PUT", "PATCH") and request.content:
                assert "requestBody" in spec, f"{name} sends a body the route does not take"
            if "requestBody" in spec and spec["requestBody"].get("required"):
                assert request.content, f"{name} sends no body; the route requires one"
            if_match = next((p for p in spec.get("parameters", []) if p["in"] == "header"
                             and p["name"].lower() == "if-match"), None)
            if if_match is not None and if_match.get("required"):
                assert "if-match" in request.headers, f"{name}: the route requires If-Match (pass the version)"


# Operations of the merged document with no SDK method, on purpose; each pattern (on the path) says why. A
# new route matches none of them: it gets its SDK method in the same change (docs/contributing.md, step 6).
NOT_IN_THE_SDK: list[tuple[str, str]] = [
    # each service's replica of hr's directory: what that service knows of a school or an educator, for
    # checking replication; a client reads the directory from hr itself (get_school, get_educator)
    (r"^/api/v1/(hr|observations|networks|strategy)/directory/", "replicated directory"),
    # each service's part of the tenant export, read by the gateway's export worker with its own short-lived
    # token; a client exports through the gateway's job (start_export, wait_for_export, download_export)
    (r"^/api/v1/(hr|observations|networks|strategy)/export(/|$)", "per-service export"),
    # OAuth and the signed-in person: the Client's own mechanics (authenticate, start_device_login,
    # poll_device_login, me, sign_out); token revocation (RFC 7009) is for OAuth libraries
    (r"^/oauth/", "OAuth endpoints"),
    (r"^/identity/me$", "who the token speaks for (Client.me)"),
    # discovery and signing keys, for resource servers and OAuth libraries
    (r"^/\.well-known/", "discovery and JWKS"),
    # the orchestrator's probes
    (r"^/(healthz|readyz)$", "health probes"),
    # documentation of the events: AsyncAPI and the JSON Schemas (libs/contracts)
    (r"^/(asyncapi|schemas/events)", "event documentation"),
]
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def test_every_operation_of_the_document_has_an_sdk_method(document: dict[str, Any],
                                                           sdk_calls: dict[str, list[Any]]) -> None:
    """The other way round: every operation the merged document publishes is an SDK method's call (registered
    in operations.py and called by a `Client` method), unless NOT_IN_THE_SDK names it with its reason."""
    reached = {(request.method, shape(API_PREFIX + op.path)) for calls in sdk_calls.values() for request in calls
               if (op := registered_operation(request)) is not None}
    missing, excluded_hits = [], {pattern: 0 for pattern, _ in NOT_IN_THE_SDK}
    for path, item in document["paths"].items():
        for method in (m for m in HTTP_METHODS if m in item):
            if excluded := next((pattern for pattern, _ in NOT_IN_THE_SDK if re.search(pattern, path)), None):
                excluded_hits[excluded] += 1
                continue
            if (method.upper(), shape(path)) not in reached:
                missing.append(f"{method.upper()} {path} ({item[method].get('operationId')})")
    assert not missing, f"{len(missing)} operations have no SDK method (add them to operations.py and the " \
                        "Client, then `python -m improvenet_client._unasync`):\n" + "\n".join(missing)
    assert all(excluded_hits.values()), f"an exclusion matches nothing any more: {excluded_hits}"


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` followed, and an optional (`anyOf` with null) reduced to its one other branch."""
    while True:
        if "$ref" in schema:
            node: Any = document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        elif "anyOf" in schema and len([s for s in schema["anyOf"] if s.get("type") != "null"]) == 1:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        else:
            return schema


def typed_dict_in(annotation: Any) -> tuple[Any, bool] | None:
    """The TypedDict an annotation holds (itself, in a list, or optional) and whether it is a list's items."""
    import typing

    if typing.is_typeddict(annotation):
        return annotation, False
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is list and args and typing.is_typeddict(args[0]):
        return args[0], True
    if len(args) == 1 and typing.get_origin(annotation) is not list:
        return typed_dict_in(args[0])
    return None


def assert_fields_documented(document: dict[str, Any], model: Any, schema: dict[str, Any], where: str) -> None:
    """Every key the SDK's TypedDict reads is a property the route documents, nested models too: a field
    renamed on the server (`refresh_pending`, `next_cursor`) fails here rather than in a script."""
    import typing

    properties = resolved(document, schema).get("properties", {})
    for key, annotation in typing.get_type_hints(model).items():
        assert key in properties, f"{where}: the SDK reads {key!r}, the route documents {sorted(properties)}"
        if (inner := typed_dict_in(annotation)) is not None:
            nested, is_list = inner
            sub = resolved(document, properties[key])
            assert_fields_documented(document, nested, resolved(document, sub["items"]) if is_list else sub,
                                     f"{where}.{key}")


def typed(model: Any) -> bool:
    import typing

    return model is not None and typing.is_typeddict(model)


# Every registered answer typed as a TypedDict (the answer itself, or a list's or a page's items): what the CLI
# and scripts read. A field renamed or dropped on the server fails here.
TYPED_ANSWERS = [o for o in ops.OPERATIONS if typed(o.result) or typed(o.item)]
REQUEST_MODELS = {"NoteIn"}  # TypedDicts the SDK sends, not reads


def success_body(document: dict[str, Any], op: ops.Operation[Any]) -> tuple[dict[str, Any], Any]:
    """The schema of the operation's success answer, and its documented example (if any)."""
    _, spec = operation(document, op)
    ok = next(code for code in ("200", "201", "202") if code in spec["responses"])
    media = spec["responses"][ok]["content"]["application/json"]
    example = media.get("example", next(iter(media.get("examples", {}).values()), {}).get("value"))
    return resolved(document, media["schema"]), example


def assert_fields_in_example(model: Any, example: Any, where: str) -> None:
    """For an answer the route types only as an object (a free-form dict), its documented example is the
    contract: every key the SDK's TypedDict reads is in it, nested models too."""
    import typing

    assert isinstance(example, dict), f"{where}: the route documents neither the answer's fields nor an example"
    for key, annotation in typing.get_type_hints(model).items():
        assert key in example, f"{where}: the SDK reads {key!r}, the route's example has {sorted(example)}"
        if (inner := typed_dict_in(annotation)) is not None and example[key]:
            nested, is_list = inner
            assert_fields_in_example(nested, example[key][0] if is_list else example[key], f"{where}.{key}")


@pytest.mark.parametrize("op", TYPED_ANSWERS, ids=lambda o: o.name)
def test_every_typed_answer_is_the_documented_one(document: dict[str, Any], op: ops.Operation[Any]) -> None:
    schema, example = success_body(document, op)
    if typed(op.result):
        if "properties" in schema:
            assert_fields_documented(document, op.result, schema, op.name)
        else:  # strategy's series: `dict[str, Any]` on the server, its fields shown by the example only
            assert_fields_in_example(op.result, example, op.name)
    if typed(op.item):
        items = resolved(document, schema["properties"]["items"]) if op.paged else schema
        assert items.get("type") == "array", f"{op.name}: its answer is no list"
        assert_fields_documented(document, op.item, resolved(document, items["items"]), f"{op.name}[]")


def models_in(model: Any) -> set[str]:
    """A TypedDict's name and those of the TypedDicts it nests."""
    import typing

    found = {model.__name__}
    for annotation in typing.get_type_hints(model).values():
        if (inner := typed_dict_in(annotation)) is not None:
            found |= models_in(inner[0])
    return found


def test_every_model_of_the_sdk_is_checked_against_a_route() -> None:
    """Each TypedDict in improvenet_client.models is some registered answer (or nested in one), so it is
    checked above: Visit, Record, Commitment, Quality, Series, ImportJob, ExportJob, ChairSuggestion,
    Meeting, ... (a model no operation names would drift unnoticed)."""
    import inspect

    from improvenet_client import models

    checked = set().union(*(models_in(model) for o in TYPED_ANSWERS for model in (o.result, o.item) if typed(model)))
    declared = {name for name, value in inspect.getmembers(models, inspect.isclass)
                if typed(value) and value.__module__ == models.__name__}
    assert declared - checked - REQUEST_MODELS == set()
    assert {"Visit", "Record", "Commitment", "Quality", "Series", "ImportJob", "ExportJob", "ChairSuggestion",
            "Meeting", "Debrief", "Graph", "EventPage", "Subscription"} <= checked


def test_the_feed_is_read_with_the_documented_cursor_and_long_poll(document: dict[str, Any]) -> None:
    """`events tail` relies on these four query parameters and on `wait` being allowed the SDK's default."""
    _, spec = operation(document, ops.READ_EVENTS)
    query = {p["name"]: p for p in spec.get("parameters", []) if p["in"] == "query"}
    assert {"after", "types", "limit", "wait"} <= set(query)
    wait = resolved(document, query["wait"]["schema"])
    assert wait.get("maximum", float("inf")) >= 20.0  # follow_events' default wait
    limit = resolved(document, query["limit"]["schema"])
    from improvenet_client.cli import FEED_PAGE

    assert limit.get("maximum", float("inf")) >= FEED_PAGE
