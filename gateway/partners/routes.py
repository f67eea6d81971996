"""Partner delivery's HTTP surface: subscriptions (tenant admin), the event feed (partner clients
with `events:read`), and the published documentation (AsyncAPI document, page, JSON Schemas).

The tenant is always the verified token's; another tenant's subscription is a 404.
"""

# No `from __future__ import annotations`: the routes' dependencies are built inside partners_router(),
# and FastAPI can only resolve evaluated annotations that name local aliases.
import asyncio
import html
import ipaddress
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response

from gateway.identity.principal import principal_of
from gateway.limits import check_rate
from gateway.partners import store
from gateway.partners.dispatcher import disable
from gateway.partners.models import deliveries, events, subscriptions
from gateway.partners.settings import PartnerSettings
from gateway.partners.signing import new_secret
from libs.common.auth import Principal, insufficient_scope
from libs.common.db import session_factory, unit_of_work
from libs.common.openapi_examples import example_id
from libs.common.problems import Problem, field_error, not_found, problem_responses
from libs.contracts import REGISTRY
from libs.contracts._asyncapi import build_document
from libs.contracts.base import SCHEMA_PATH

API_PREFIX = "/api/v1"
EVENTS_SCOPE = "events:read"
ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 429)
PrincipalDependency = Callable[..., Any]


# --- API models --------------------------------------------------------------------------------

# Documented as an enum (what a client may send); checked by granted_types(), which names the bad item.
EventTypeName = Annotated[str, WithJsonSchema({"type": "string", "enum": ["*", *sorted(REGISTRY)]})]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Coaching app: visits and commitments", "client_id": "coaching-app-7d31e0",
         "types": ["org.improvenet.observations.visit.debriefed", "org.improvenet.networks.commitment.made"],
         "mode": "webhook", "url": "https://coaching.example.org/hooks/improvenet"},
        {"name": "Data warehouse feed", "client_id": "warehouse-2b8c11", "types": ["*"], "mode": "feed"}]})
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    client_id: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$",
                           description="The partner's client (it needs the scope events:read).")
    types: list[EventTypeName] = Field(min_length=1, max_length=500,
                             description='Event types granted to the partner; ["*"]: every type known today.')
    mode: Literal["webhook", "feed"] = "webhook"
    url: str | None = Field(None, max_length=2000, description="Where webhooks go (mode webhook only).")


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    types: list[EventTypeName] | None = Field(None, min_length=1, max_length=500)
    url: str | None = Field(None, max_length=2000)


SUBSCRIPTION_EXAMPLE: dict[str, Any] = {
    "id": example_id("subscription_id"), "name": "Coaching app: visits and commitments",
    "client_id": "coaching-app-7d31e0",
    "types": ["org.improvenet.networks.commitment.made", "org.improvenet.observations.visit.debriefed"],
    "mode": "webhook", "url": "https://coaching.example.org/hooks/improvenet", "status": "active",
    "disabled_reason": None, "disabled_at": None, "previous_secret_expires_at": None, "version": 1,
    "created_at": "2026-09-02T09:00:00Z", "updated_at": "2026-09-02T09:00:00Z"}


class SubscriptionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SUBSCRIPTION_EXAMPLE]})

    id: uuid.UUID
    name: str
    client_id: str
    types: list[str]
    mode: Literal["webhook", "feed"]
    url: str | None
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class SubscriptionWithSecret(SubscriptionPublic):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**SUBSCRIPTION_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]})

    secret: str | None = Field(description="Verifies the webhook signatures (Standard Webhooks). Shown once.")


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: AwareDatetime = Field(description="Deliver again every granted event from this time (event time).")

    @field_validator("since")
    @classmethod
    def representable(cls, value: datetime) -> datetime:
        try:
            return value.astimezone(UTC)  # an offset at the edge of the calendar cannot be stored
        except (OverflowError, ValueError) as exc:
            raise ValueError("not a representable time") from exc


class ReplayResult(BaseModel):
    replayed: int


class DeliveryRecord(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "event_id": example_id("event_id"), "type": "org.improvenet.networks.commitment.made",
        "subject": example_id("commitment_id"), "time": "2026-10-05T13:20:00Z", "attempts": 2,
        "delivered_at": "2026-10-05T13:20:07Z", "next_attempt_at": "2026-10-05T13:20:05Z", "last_status": 200,
        "last_error": None}]})

    event_id: uuid.UUID
    type: str
    subject: str
    time: datetime
    attempts: int
    delivered_at: datetime | None
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None


class FeedPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "items": [{"specversion": "1.0", "id": example_id("event_id"), "source": "/improvenet/networks",
                   "type": "org.improvenet.networks.commitment.made", "subject": example_id("commitment_id"),
                   "time": "2026-10-05T13:20:00+00:00", "datacontenttype": "application/json",
                   "dataschema": REGISTRY["org.improvenet.networks.commitment.made"].dataschema(),
                   "data": {"commitment_id": example_id("commitment_id"), "school_id": example_id("school_id"),
                            "educator_id": example_id("educator_id"), "network_id": example_id("network_id"),
                            "meeting_id": example_id("meeting_id"), "visit_id": None, "due_on": "2026-11-02",
                            "horizon": None, "source": "meeting"}}],
        "next_cursor": "MjAyNi0xMC0wNVQxMzoyMDowMFp8NDIx"}]})

    items: list[dict[str, Any]] = Field(description="CloudEvents in structured JSON mode, in order.")
    next_cursor: str = Field(description="Pass as `after` to read on; opaque.")


PUBLIC_COLUMNS = [subscriptions.c[name] for name in SubscriptionPublic.model_fields]


# --- helpers -----------------------------------------------------------------------------------

def granted_types(requested: list[str]) -> list[str]:
    if requested == ["*"]:
        return sorted(REGISTRY)
    errors = [{"field": f"types[{n}]", "message": f"unknown event type {t!r}"}
              for n, t in enumerate(requested) if t not in REGISTRY]
    if errors:
        raise Problem(422, "Unknown event types", f"{len(errors)} event type(s) are not published",
                      slug="validation-error", errors=errors)
    return sorted(set(requested))


def check_url(url: str | None, settings: PartnerSettings, *, required: bool) -> None:
    if url is None:
        if required:
            raise field_error("url", "a webhook subscription needs a url")
        return
    allowed = ("https", "http") if settings.allow_insecure_urls else ("https",)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        host = None
    if host is None or parts.scheme not in allowed:
        raise field_error("url", f"must be an absolute {' or '.join(allowed)} URL")
    if not settings.allow_insecure_urls and internal_host(host):
        # The gateway must not become a way into the cluster (SSRF): no loopback, private or link-local
        # addresses. (A public name resolving to one is not caught here; egress policy covers that.)
        raise field_error("url", "must not point at a loopback, private or link-local address")


def internal_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".svc", ".cluster.local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved \
        or address.is_multicast or address.is_unspecified


async def check_partner_client(engine: AsyncEngine, tenant: str, client_id: str) -> None:
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT scopes, revoked_at FROM clients WHERE tenant_id = :t AND "
                                       "client_id = :c"), {"t": tenant, "c": client_id})).first()
    if row is None or row.revoked_at is not None:
        raise field_error("client_id", "no such client in your organisation")
    if EVENTS_SCOPE not in row.scopes:
        raise field_error("client_id", f"the client lacks the scope {EVENTS_SCOPE}")


async def load(engine: AsyncEngine, tenant: str, subscription_id: uuid.UUID) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = (await conn.execute(select(*PUBLIC_COLUMNS).where(
            subscriptions.c.id == subscription_id, subscriptions.c.tenant_id == tenant))).first()
    if row is None:
        raise not_found("subscription")
    return dict(row._mapping)


def cursor_of(after: str) -> int:
    if not after.isdigit() or len(after) > 18:
        raise field_error("after", "not a cursor this feed returned")
    return int(after)


# --- documentation -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def asyncapi_document() -> dict[str, Any]:
    return build_document()


@lru_cache(maxsize=1)
def schema_documents() -> dict[str, dict[str, Any]]:
    from libs.contracts.__main__ import schema_documents as documents  # the files `make schemas` writes

    return documents()


def asyncapi_page(doc: dict[str, Any]) -> str:
    """A readable, self-contained page (no script, no CDN): channels, messages, headers, schemas."""
    e = html.escape
    messages = doc["components"]["messages"]
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(doc['info']['title'])}</title>"
             "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "code,pre{background:#f4f4f4;padding:.1em .3em}pre{padding:.6em;overflow:auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}"
             "</style></head><body>",
             f"<h1>{e(doc['info']['title'])} <small>AsyncAPI {e(doc['asyncapi'])}, v{e(doc['info']['version'])}"
             "</small></h1>",
             "<p>Machine-readable: <a href=/asyncapi.json>/asyncapi.json</a>. Schemas: "
             f"<a href={SCHEMA_PATH}>{SCHEMA_PATH}</a>.</p>",
             f"<pre>{e(doc['info']['description'])}</pre>"]
    for channel in doc["channels"].values():
        parts.append(f"<h2 id='{e(channel['address'])}'>Topic <code>{e(channel['address'])}</code></h2><table>"
                     "<tr><th>type</th><th>summary</th><th>Kafka key</th><th>schema</th></tr>")
        for ref in channel["messages"].values():
            m = messages[ref["$ref"].rsplit("/", 1)[-1]]
            parts.append(f"<tr><td id='{e(m['name'])}'><code>{e(m['name'])}</code></td><td>{e(m['summary'])}</td>"
                         f"<td>{e(m['bindings']['kafka']['key']['description'])}</td>"
                         f"<td><a href='{e(m['x-dataschema-path'])}'>JSON Schema</a></td></tr>")
        parts.append("</table>")
        for ref in channel["messages"].values():
            m = messages[ref["$ref"].rsplit("/", 1)[-1]]
            example = m["examples"][0]
            parts.append(f"<h3><code>{e(m['name'])}</code></h3><p>Example headers and payload:</p>"
                         f"<pre>{e(json.dumps(example['headers'], indent=2))}</pre>"
                         f"<pre>{e(json.dumps(example['payload'], indent=2))}</pre>")
    parts.append("</body></html>")
    return "".join(parts)


def asyncapi_excerpt() -> dict[str, Any]:
    """The document's head and its first channel: what the example of /asyncapi.json shows (without the
    channel's message references, which a reader of the OpenAPI document would resolve against it)."""
    doc = asyncapi_document()
    name, channel = next(iter(doc["channels"].items()))
    return {**{k: doc[k] for k in ("asyncapi", "id", "info", "defaultContentType")},
            "channels": {name: {k: v for k, v in channel.items() if k != "messages"}}}


EXAMPLE_EVENT_TYPE = "org.improvenet.networks.commitment.made"


class SchemaResponse(JSONResponse):
    media_type = "application/schema+json"


def docs_routes(router: APIRouter) -> None:
    @router.get("/asyncapi.json", tags=["partners"], summary="The AsyncAPI 3.0 document of every event",
                responses={200: {"content": {"application/json": {"example": asyncapi_excerpt()}}}})
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi_document(), headers={"Cache-Control": "max-age=300"})

    @router.get("/asyncapi", tags=["partners"], summary="The event catalogue as a readable page",
                response_class=HTMLResponse)
    async def asyncapi_html() -> HTMLResponse:
        return HTMLResponse(asyncapi_page(asyncapi_document()), headers={"Cache-Control": "max-age=300"})

    @router.get(SCHEMA_PATH, tags=["partners"], summary="Every event type's JSON Schema URL",
                responses={200: {"content": {"application/json": {"example": {
                    EXAMPLE_EVENT_TYPE: REGISTRY[EXAMPLE_EVENT_TYPE].dataschema()}}}}})
    async def schema_index(request: Request) -> dict[str, str]:
        base = str(request.base_url).rstrip("/")
        return {t: f"{base}{SCHEMA_PATH}/{t}/v{m.schema_version}.json" for t, m in sorted(REGISTRY.items())}

    @router.get(SCHEMA_PATH + "/{event_type}/v{version}.json", tags=["partners"],
                summary="An event type's JSON Schema (its `dataschema` URL)", response_class=SchemaResponse,
                responses={**problem_responses(404, 422), 200: {"content": {
                    "application/schema+json": {"schema": {"type": "object"},
                                                "example": schema_documents()[EXAMPLE_EVENT_TYPE]}}}})
    async def event_schema(event_type: str, version: int) -> JSONResponse:
        model = REGISTRY.get(event_type)
        if model is None or model.schema_version != version:
            raise not_found("event schema")
        return SchemaResponse(schema_documents()[event_type], headers={"Cache-Control": "max-age=300"})


# --- the router --------------------------------------------------------------------------------

def tenant_wide(who: Principal) -> None:
    """Subscriptions and the feed carry the whole tenant's events: not for a client limited to some schools."""
    if who.schools is not None:
        raise Problem(403, "Forbidden", "partner delivery carries the whole tenant's events; a client limited to "
                      "some schools cannot use or manage it", slug="outside-school-scope")


def partners_router(settings: PartnerSettings | None = None,
                    principal: PrincipalDependency = principal_of) -> APIRouter:
    """Subscriptions admin, the event feed and the documentation routes, ready to include.

    Include it before the proxy's catch-all `/api/v1/{service}/{path}` route. `principal` is the
    gateway's verified-and-not-revoked principal dependency.
    """
    settings = settings or PartnerSettings()
    router = APIRouter()
    admin_router = APIRouter(prefix=API_PREFIX + "/partners", tags=["partners"], responses=ERRORS)

    async def admin(request: Request, who: Annotated[Principal, Depends(principal)]) -> Principal:
        if not who.has("admin"):
            raise insufficient_scope("admin")
        tenant_wide(who)
        check_rate(request, f"{who.issuer}|{who.subject}")
        return who

    async def partner(request: Request, who: Annotated[Principal, Depends(principal)]) -> Principal:
        if not who.has(EVENTS_SCOPE):
            raise insufficient_scope(EVENTS_SCOPE)
        tenant_wide(who)
        check_rate(request, f"{who.issuer}|{who.subject}")
        return who

    Admin = Annotated[Principal, Depends(admin)]
    Partner = Annotated[Principal, Depends(partner)]

    def engine_of(request: Request) -> AsyncEngine:
        return request.app.state.engine  # type: ignore[no-any-return]

    @admin_router.post("/subscriptions", status_code=201, response_model=SubscriptionWithSecret,
                       summary="Subscribe a partner client to granted event types (webhook or feed)")
    async def create_subscription(body: SubscriptionCreate, request: Request, who: Admin) -> JSONResponse:
        engine = engine_of(request)
        types = granted_types(body.types)
        if body.mode == "feed" and body.url is not None:
            raise field_error("url", "a feed subscription has no url")
        check_url(body.url, settings, required=body.mode == "webhook")
        await check_partner_client(engine, who.tenant_id, body.client_id)
        sid = uuid.uuid4()
        secret = new_secret() if body.mode == "webhook" else None
        async with engine.begin() as conn:
            await conn.execute(insert(subscriptions).values(
                id=sid, tenant_id=who.tenant_id, client_id=body.client_id, name=body.name, types=types,
                mode=body.mode, url=body.url, secret=secret))
        row = await load(engine, who.tenant_id, sid)
        out = SubscriptionWithSecret(**row, secret=secret).model_dump(mode="json")
        return JSONResponse(out, status_code=201, headers={
            "Location": f"{API_PREFIX}/partners/subscriptions/{sid}", "ETag": f'"{row["version"]}"',
            "Cache-Control": "no-store"})

    @admin_router.get("/subscriptions", response_model=list[SubscriptionPublic], summary="Your tenant's subscriptions")
    async def list_subscriptions(request: Request, who: Admin) -> Any:
        async with engine_of(request).connect() as conn:
            rows = await conn.execute(select(*PUBLIC_COLUMNS).where(subscriptions.c.tenant_id == who.tenant_id)
                                      .order_by(subscriptions.c.created_at))
            return [dict(r._mapping) for r in rows]

    @admin_router.get("/subscriptions/{subscription_id}", response_model=SubscriptionPublic,
                      summary="Read a subscription (status, and the reason when disabled)")
    async def read_subscription(subscription_id: uuid.UUID, request: Request, who: Admin) -> Any:
        return await load(engine_of(request), who.tenant_id, subscription_id)

    @admin_router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionPublic,
                        summary="Change a subscription's name, granted types or url")
    async def update_subscription(subscription_id: uuid.UUID, body: SubscriptionUpdate, request: Request,
                                  who: Admin) -> Any:
        engine = engine_of(request)
        current = await load(engine, who.tenant_id, subscription_id)
        values: dict[str, Any] = {}
        if body.name is not None:
            values["name"] = body.name
        if body.types is not None:
            values["types"] = granted_types(body.types)
        if body.url is not None:
            if current["mode"] != "webhook":
                raise field_error("url", "a feed subscription has no url")
            check_url(body.url, settings, required=True)
            values["url"] = body.url
        if values:
            async with engine.begin() as conn:
                await conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(
                    **values, version=subscriptions.c.version + 1, updated_at=datetime.now(UTC)))
        return await load(engine, who.tenant_id, subscription_id)

    @admin_router.delete("/subscriptions/{subscription_id}", status_code=204, summary="End a subscription")
    async def delete_subscription(subscription_id: uuid.UUID, request: Request, who: Admin) -> Response:
        engine = engine_of(request)
        await load(engine, who.tenant_id, subscription_id)
        async with engine.begin() as conn:
            await conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id,
                                                           subscriptions.c.tenant_id == who.tenant_id))
        return Response(status_code=204)

    @admin_router.post("/subscriptions/{subscription_id}/enable", response_model=SubscriptionPublic,
                       summary="Re-enable a disabled subscription: what it missed is delivered")
    async def enable_subscription(subscription_id: uuid.UUID, request: Request, who: Admin) -> Any:
        engine = engine_of(request)
        await load(engine, who.tenant_id, subscription_id)
        async with engine.begin() as conn:
            await conn.execute(update(subscriptions).where(
                subscriptions.c.id == subscription_id, subscriptions.c.status == "disabled").values(
                status="active", disabled_reason=None, disabled_at=None, version=subscriptions.c.version + 1,
                updated_at=datetime.now(UTC)))
            await store.resume(conn, subscription_id)
        return await load(engine, who.tenant_id, subscription_id)

    @admin_router.post("/subscriptions/{subscription_id}/disable", response_model=SubscriptionPublic,
                       summary="Disable a subscription by hand (deliveries wait until it is re-enabled)")
    async def disable_subscription(subscription_id: uuid.UUID, request: Request, who: Admin) -> Any:
        engine = engine_of(request)
        await load(engine, who.tenant_id, subscription_id)
        async with unit_of_work(session_factory(engine)) as session:
            await disable(session, subscription_id, f"disabled by {who.subject}")
        return await load(engine, who.tenant_id, subscription_id)

    @admin_router.post("/subscriptions/{subscription_id}/secret", response_model=SubscriptionWithSecret,
                       summary="Rotate the signing secret (the previous one keeps signing for a while)")
    async def rotate_subscription_secret(subscription_id: uuid.UUID, request: Request, who: Admin) -> JSONResponse:
        engine = engine_of(request)
        current = await load(engine, who.tenant_id, subscription_id)
        if current["mode"] != "webhook":
            raise Problem(409, "Conflict", "a feed subscription has no signing secret", slug="not-a-webhook")
        secret = new_secret()
        until = datetime.now(UTC) + timedelta(seconds=settings.secret_overlap_seconds)
        async with engine.begin() as conn:
            await conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(
                previous_secret=subscriptions.c.secret, previous_secret_expires_at=until, secret=secret,
                version=subscriptions.c.version + 1, updated_at=datetime.now(UTC)))
        row = await load(engine, who.tenant_id, subscription_id)
        return JSONResponse(SubscriptionWithSecret(**row, secret=secret).model_dump(mode="json"),
                            headers={"Cache-Control": "no-store"})

    @admin_router.post("/subscriptions/{subscription_id}/replay", status_code=202, response_model=ReplayResult,
                       summary="Deliver again every granted event from a point in time")
    async def replay_subscription(subscription_id: uuid.UUID, body: ReplayRequest, request: Request,
                                  who: Admin) -> Any:
        engine = engine_of(request)
        current = await load(engine, who.tenant_id, subscription_id)
        if current["mode"] != "webhook":
            raise Problem(409, "Conflict", "a feed reader rewinds with its cursor (`after`)", slug="not-a-webhook",
                          errors=[{"field": "since", "message": "replay is for webhook subscriptions"}])
        async with engine.begin() as conn:
            count = await store.replay(conn, subscription_id, body.since)
        return {"replayed": count}

    @admin_router.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryRecord],
                      summary="The delivery log: the latest deliveries, newest first")
    async def delivery_log(subscription_id: uuid.UUID, request: Request, who: Admin,
                           state: Literal["pending", "delivered"] | None = None,
                           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
        engine = engine_of(request)
        await load(engine, who.tenant_id, subscription_id)
        stmt = (select(events.c.event_id, events.c.type, events.c.aggregate.label("subject"), events.c.time,
                       deliveries.c.attempts, deliveries.c.delivered_at, deliveries.c.next_attempt_at,
                       deliveries.c.last_status, deliveries.c.last_error)
                .join(events, events.c.seq == deliveries.c.event_seq)
                .where(deliveries.c.subscription_id == subscription_id)
                .order_by(deliveries.c.event_seq.desc()).limit(limit))
        if state == "pending":
            stmt = stmt.where(deliveries.c.delivered_at.is_(None))
        elif state == "delivered":
            stmt = stmt.where(deliveries.c.delivered_at.is_not(None))
        async with engine.connect() as conn:
            return [dict(r._mapping) for r in await conn.execute(stmt)]

    @router.get(API_PREFIX + "/events", tags=["partners"], response_model=FeedPage, responses=ERRORS,
                summary="The event feed: your tenant's granted events after a cursor (long-poll)")
    async def feed(request: Request, who: Partner,
                   after: Annotated[str, Query(max_length=20, description="A cursor from `next_cursor`; "
                                                                         "0 reads from the oldest kept event.")] = "0",
                   types: Annotated[str | None, Query(max_length=20000,
                                                      description="Comma-separated event types (granted ones)."
                                                      )] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                   wait: Annotated[float, Query(ge=0, le=300, description="Seconds to wait for an event "
                                                "when there is none yet.")] = 20.0) -> JSONResponse:
        position = cursor_of(after)
        engine = engine_of(request)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(subscriptions.c.types, subscriptions.c.status).where(
                subscriptions.c.tenant_id == who.tenant_id, subscriptions.c.client_id == who.subject,
                subscriptions.c.mode == "feed"))).all()
        granted = sorted({t for r in rows if r.status == "active" for t in r.types})
        if not granted:
            raise Problem(403, "Forbidden", "this client has no active feed subscription in its organisation",
                          slug="no-subscription")
        wanted = granted
        if types:
            asked = [t.strip() for t in types.split(",") if t.strip()]
            errors = [{"field": "types", "message": f"{t!r} is not granted to this client"}
                      for t in asked if t not in granted]
            if errors:
                raise Problem(422, "Types not granted", "; ".join(e["message"] for e in errors),
                              slug="validation-error", errors=errors)
            wanted = sorted(set(asked))
        deadline = time.monotonic() + min(wait, settings.feed_max_wait_seconds)
        public = settings.public_url or str(request.base_url)
        while True:  # bounded: ends at the deadline
            async with engine.connect() as conn:
                page = await store.feed_page(conn, who.tenant_id, position, wanted, limit)
            remaining = deadline - time.monotonic()
            if page or remaining <= 0 or await request.is_disconnected():
                break
            await asyncio.sleep(min(settings.feed_poll_seconds, remaining))
        items = [store.with_schema_base(ce, public) for _, ce in page]
        next_cursor = str(page[-1][0]) if page else str(position)
        return JSONResponse({"items": items, "next_cursor": next_cursor}, headers={"Cache-Control": "no-store"})

    router.include_router(admin_router)
    docs_routes(router)
    return router
