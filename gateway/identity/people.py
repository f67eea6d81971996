"""People of a tenant who sign in, invited by the tenant's admins, and the admin routes at
`/api/v1/admin/people`.

An admin invites a person (role, schools, educator) and gets a one-time link valid for 7 days; the
gateway sends no e-mail: the admin passes the link on. Opening it, the person chooses a password
(gateway.identity.signin) and can then sign in. Revoking a person ends every session they have and
blocks sign-in. E-mails are unique across the platform (case ignored) and never leave this module's
answers to admins: tokens, logs and events carry the person's id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from starlette.responses import Response

from gateway.identity.clients import check_schools
from gateway.identity.principal import Admin
from gateway.identity.roles import Role, role_problem
from gateway.identity.tables import people, person_invitations, person_sessions
from gateway.identity.tokens import digest, new_secret
from gateway.limits import BODY_TOO_LARGE
from gateway.models import DIRECTORY
from gateway.routes import API_PREFIX
from libs.common.auth import Principal
from libs.common.openapi_examples import example_id
from libs.common.problems import Problem, field_error, not_found, problem_responses
from libs.common.repository import require_known
from libs.directory import known_educators

EMAIL_PATTERN = r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"
ERRORS = {**problem_responses(400, 401, 403, 404, 409, 422, 429), **BODY_TOO_LARGE}


def normal_email(email: str) -> str:
    return email.strip().lower()


# --- the store ---------------------------------------------------------------------------------

PUBLIC_COLUMNS = (people.c.id, people.c.email, people.c.display_name, people.c.role, people.c.schools,
                  people.c.educator_id, people.c.status, people.c.created_at, people.c.activated_at,
                  people.c.revoked_at)


class People:
    def __init__(self, engine: AsyncEngine, *, invitation_ttl: int) -> None:
        self._engine = engine
        self._invitation_ttl = invitation_ttl

    async def create(self, tenant_id: str, email: str, role: str, display_name: str | None,
                     schools: list[str] | None, educator_id: uuid.UUID | None, *, status: str = "invited"
                     ) -> tuple[dict[str, Any], str | None, datetime | None]:
        """A new person; an invited one comes with the invitation's one-time token and its expiry."""
        person_id, now = uuid.uuid4(), datetime.now(UTC)
        token, expires = (new_secret(), now + timedelta(seconds=self._invitation_ttl)) if status == "invited" \
            else (None, None)
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(people).values(
                    id=person_id, tenant_id=tenant_id, email=normal_email(email), display_name=display_name,
                    role=role, schools=schools, educator_id=educator_id, status=status,
                    activated_at=None if status == "invited" else now))
                if token is not None:
                    await conn.execute(insert(person_invitations).values(
                        token_hash=digest(token), person_id=person_id, expires_at=expires))
        except IntegrityError as exc:
            raise field_error("email", "a person with this e-mail already exists", status=409,
                              title="Conflict", slug="conflict") from exc
        return await self.get(tenant_id, person_id), token, expires

    async def list(self, tenant_id: str) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(*PUBLIC_COLUMNS).where(people.c.tenant_id == tenant_id)
                                      .order_by(people.c.created_at, people.c.id))
            return [dict(r._mapping) for r in rows]

    async def get(self, tenant_id: str, person_id: uuid.UUID) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*PUBLIC_COLUMNS).where(
                people.c.id == person_id, people.c.tenant_id == tenant_id))).first()
        if row is None:
            raise not_found("person")
        return dict(row._mapping)

    async def revoke(self, tenant_id: str, person_id: uuid.UUID) -> Sequence[uuid.UUID]:
        """Block sign-in and end every session, in one transaction; the sessions ended."""
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            done = await conn.execute(update(people).where(people.c.id == person_id, people.c.tenant_id == tenant_id)
                                      .values(status="revoked", revoked_at=now))
            if done.rowcount == 0:
                raise not_found("person")
            ended = await conn.execute(update(person_sessions).where(
                person_sessions.c.person_id == person_id, person_sessions.c.ended_at.is_(None)
            ).values(ended_at=now, ended_reason="person-revoked").returning(person_sessions.c.id))
            return list(ended.scalars())

    async def by_email(self, email: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(people).where(people.c.email == normal_email(email)))).first()
        return dict(row._mapping) if row else None

    async def by_id(self, person_id: uuid.UUID | str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(people).where(people.c.id == uuid.UUID(str(person_id))))).first()
        return dict(row._mapping) if row else None

    async def set_password_hash(self, person_id: uuid.UUID, password_hash: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(people).where(people.c.id == person_id).values(password_hash=password_hash))

    async def activate(self, person_id: uuid.UUID) -> None:
        """An invited person who signed in through their district's provider is active from then on."""
        async with self._engine.begin() as conn:
            await conn.execute(update(people).where(people.c.id == person_id, people.c.status == "invited")
                               .values(status="active", activated_at=datetime.now(UTC)))

    async def invited_by(self, token: str) -> dict[str, Any] | None:
        """The invited person a link is for, while the link is unused and unexpired."""
        async with self._engine.connect() as conn:
            return await _invitation(conn, token)

    async def accept_invitation(self, token: str, password_hash: str) -> dict[str, Any] | None:
        """Set the password and activate, spending the link; None when the link no longer works."""
        async with self._engine.begin() as conn:
            person = await _invitation(conn, token, lock=True)
            if person is None:
                return None
            now = datetime.now(UTC)
            await conn.execute(update(person_invitations).where(person_invitations.c.token_hash == digest(token))
                               .values(used_at=now))
            await conn.execute(update(people).where(people.c.id == person["id"]).values(
                password_hash=password_hash, status="active", activated_at=now))
            return person


async def _invitation(conn: AsyncConnection, token: str, *, lock: bool = False) -> dict[str, Any] | None:
    query = (select(people).join(person_invitations, person_invitations.c.person_id == people.c.id)
             .where(person_invitations.c.token_hash == digest(token), person_invitations.c.used_at.is_(None),
                    person_invitations.c.expires_at > datetime.now(UTC), people.c.status == "invited"))
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    return dict(row._mapping) if row else None


# --- API models and routes ---------------------------------------------------------------------

class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "maria.santos@riverside.example.org", "role": "principal", "display_name": "Maria Santos",
         "schools": [example_id("school_id")]},
        {"email": "lee.chen@riverside.example.org", "role": "coordinator"}]})
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN, description="Unique across the platform, any case.")
    role: Role = Field(description="observer, coordinator, principal (needs schools) or district-admin.")
    display_name: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    schools: list[uuid.UUID] | None = Field(None, max_length=100, description=(
        "The schools the person's tokens are limited to (a principal needs at least one)."))
    educator_id: uuid.UUID | None = Field(None, description="The person's educator record in hr, if any.")


PERSON_EXAMPLE: dict[str, Any] = {
    "id": "7b0c1f8e-2d5a-4c3e-9f61-0a8b7c6d5e41", "email": "maria.santos@riverside.example.org",
    "display_name": "Maria Santos", "role": "principal", "schools": [example_id("school_id")], "educator_id": None,
    "status": "invited", "created_at": "2026-09-01T14:05:00Z", "activated_at": None, "revoked_at": None}


class PersonPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PERSON_EXAMPLE]})

    id: uuid.UUID
    email: str
    display_name: str | None
    role: str
    schools: list[str] | None
    educator_id: uuid.UUID | None
    status: str = Field(description="invited, active or revoked.")
    created_at: datetime
    activated_at: datetime | None
    revoked_at: datetime | None


class PersonInvited(PersonPublic):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        **PERSON_EXAMPLE, "invitation_url": "https://api.improvenet.example.org/signin/invitation?token=c2VjcmV0",
        "invitation_expires_at": "2026-09-08T14:05:00Z"}]})

    invitation_url: str = Field(description="Shown once: pass it on to the person (no e-mail is sent).")
    invitation_expires_at: datetime


def tenant_wide(principal: Principal) -> None:
    """People are managed by the district: a school-limited admin manages clients, not people."""
    if principal.schools is not None:
        raise Problem(403, "Forbidden", "only a tenant-wide admin manages people", slug="outside-school-scope")


router = APIRouter(prefix=API_PREFIX + "/admin/people", tags=["admin"], responses=ERRORS)


@router.post("", status_code=201, response_model=PersonInvited,
             summary="Invite a person (the one-time invitation link is shown once)")
async def invite_person(body: PersonCreate, request: Request, principal: Admin) -> Any:
    tenant_wide(principal)
    state = request.app.state
    schools = [str(s) for s in body.schools] if body.schools is not None else None
    wrong = role_problem(body.role, schools)
    if wrong is not None:
        raise field_error(*wrong, status=400, title="Bad request")
    if body.schools is not None:
        await check_schools(state.engine, principal, body.schools)
    if body.educator_id is not None:
        async with AsyncSession(state.engine) as session:
            await require_known(session, principal.tenant_id,
                                known_educators(DIRECTORY, "educator_id", body.educator_id))
    person, token, expires = await state.people.create(principal.tenant_id, body.email, body.role,
                                                       body.display_name, schools, body.educator_id)
    origin = str(request.base_url).rstrip("/")
    invited = PersonInvited(**person, invitation_url=f"{origin}/signin/invitation?token={token}",
                            invitation_expires_at=expires)
    return JSONResponse(invited.model_dump(mode="json"), status_code=201,
                        headers={"Cache-Control": "no-store", "Location": f"/api/v1/admin/people/{person['id']}"})


@router.get("", response_model=list[PersonPublic], summary="List your tenant's people")
async def list_people(request: Request, principal: Admin) -> Any:
    tenant_wide(principal)
    return await request.app.state.people.list(principal.tenant_id)


@router.get("/{person_id}", response_model=PersonPublic, summary="Read a person")
async def read_person(person_id: uuid.UUID, request: Request, principal: Admin) -> Any:
    tenant_wide(principal)
    return await request.app.state.people.get(principal.tenant_id, person_id)


@router.post("/{person_id}/revoke", status_code=204,
             summary="Revoke a person: every session ends and they can no longer sign in")
async def revoke_person(person_id: uuid.UUID, request: Request, principal: Admin) -> Response:
    tenant_wide(principal)
    state = request.app.state
    for session_id in await state.people.revoke(principal.tenant_id, person_id):
        state.sessions.note_ended(session_id)
    return Response(status_code=204)
