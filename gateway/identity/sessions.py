"""People's sessions: authorization codes, rotating refresh tokens, device authorizations, and the
check that an access token's session has not ended.

A session begins when a code (or an approved device code) is exchanged for tokens. Its refresh token
rotates on every use; presenting one already used ends the whole session (someone holds a copy:
RFC 9700 §4.14.2), and so does replaying a code (RFC 6749 §4.1.2). An ended session's access tokens
are refused by the gateway from then on (`is_ended`, looked up by the `sid` claim's primary key).

Refusals that must also end a session commit that first and raise after the transaction.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.identity.errors import invalid_grant, token_error
from gateway.identity.tables import (
    authorization_codes,
    device_authorizations,
    people,
    person_sessions,
    refresh_tokens,
)
from gateway.identity.tokens import digest, new_secret
from libs.common.problems import Problem

# RFC 8628 §6.1: no vowels (no words), nothing that reads as another letter or a digit
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
SLOW_DOWN_SECONDS = 5  # RFC 8628 §3.5: each slow_down adds 5 s to the interval
ENDED_CACHE_SIZE = 10_000


def new_user_code() -> str:
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def normal_user_code(typed: str) -> str:
    """What a person typed (any case, with or without the dash) as it is stored."""
    return "".join(c for c in typed.upper() if c.isalpha())


def shown_user_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Issued:
    """A session's new tokens are to be minted: for whom, in which session, with which refresh token."""

    person: dict[str, Any]
    session_id: uuid.UUID
    refresh_token: str
    client_id: str
    scope: str | None


class Sessions:
    def __init__(self, engine: AsyncEngine, *, refresh_ttl: int, code_ttl: int, device_ttl: int,
                 device_interval: int) -> None:
        self._engine = engine
        self._refresh_ttl = timedelta(seconds=refresh_ttl)
        self._code_ttl = timedelta(seconds=code_ttl)
        self.device_ttl = device_ttl
        self.device_interval = device_interval
        self._ended: set[str] = set()  # an ended session never comes back: remembered for good

    # --- the access-token check ---------------------------------------------------------------

    async def is_ended(self, session_id: str) -> bool:
        """True for an ended (or unknown) session: one primary-key lookup, none once seen ended."""
        if session_id in self._ended:
            return True
        try:
            sid = uuid.UUID(session_id)
        except ValueError:
            return True
        async with self._engine.connect() as conn:
            ended = await conn.scalar(select(person_sessions.c.ended_at.is_not(None))
                                      .where(person_sessions.c.id == sid))
        if ended is None or ended:
            self.note_ended(session_id)
            return True
        return False

    def note_ended(self, session_id: uuid.UUID | str) -> None:
        if len(self._ended) >= ENDED_CACHE_SIZE:
            self._ended.clear()  # bounded memory; the database still knows
        self._ended.add(str(session_id))

    async def end(self, session_id: uuid.UUID | str, reason: str) -> None:
        async with self._engine.begin() as conn:
            await _end(conn, uuid.UUID(str(session_id)), reason)
        self.note_ended(session_id)

    async def end_by_refresh_token(self, token: str, client_id: str | None) -> None:
        """RFC 7009: revoking a refresh token ends its session (a token of another client is ignored)."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(person_sessions.c.id, person_sessions.c.client_id).join(
                refresh_tokens, refresh_tokens.c.session_id == person_sessions.c.id).where(
                refresh_tokens.c.token_hash == digest(token)))).first()
        if row is not None and (client_id is None or row.client_id == client_id):
            await self.end(row.id, "revoked")

    async def end_person(self, person_id: uuid.UUID) -> None:
        async with self._engine.begin() as conn:
            ended = await conn.execute(update(person_sessions).where(
                person_sessions.c.person_id == person_id, person_sessions.c.ended_at.is_(None)
            ).values(ended_at=datetime.now(UTC), ended_reason="person-revoked").returning(person_sessions.c.id))
            for sid in ended.scalars():
                self.note_ended(sid)

    # --- authorization codes ------------------------------------------------------------------

    async def issue_code(self, person_id: uuid.UUID, client_id: str, redirect_uri: str, code_challenge: str,
                         scope: str | None) -> str:
        code = new_secret()
        async with self._engine.begin() as conn:
            await conn.execute(insert(authorization_codes).values(
                code_hash=digest(code), client_id=client_id, redirect_uri=redirect_uri,
                code_challenge=code_challenge, person_id=person_id, scope=scope,
                expires_at=datetime.now(UTC) + self._code_ttl))
        return code

    async def redeem_code(self, code: str, client_id: str, redirect_uri: str, verifier_matches: Any) -> Issued:
        """Exchange a code once; `verifier_matches(challenge)` checks PKCE. A replay ends the session
        the code's first use began. Any attempt spends the code."""
        error: Problem | None = None
        issued: Issued | None = None
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(authorization_codes).where(
                authorization_codes.c.code_hash == digest(code)).with_for_update())).first()
            if row is None:
                error = invalid_grant("unknown authorization code")
            elif row.used_at is not None:
                if row.session_id is not None:
                    await _end(conn, row.session_id, "code-replayed")
                    self.note_ended(row.session_id)
                error = invalid_grant("this authorization code was already used; the tokens issued for it "
                                      "are revoked")
            else:
                await conn.execute(update(authorization_codes).where(
                    authorization_codes.c.code_hash == row.code_hash).values(used_at=now))
                if row.expires_at <= now:
                    error = invalid_grant("the authorization code has expired")
                elif row.client_id != client_id:
                    error = invalid_grant("the authorization code was issued to another client")
                elif row.redirect_uri != redirect_uri:
                    error = invalid_grant("redirect_uri differs from the authorization request's")
                elif not verifier_matches(row.code_challenge):
                    error = invalid_grant("code_verifier does not match the code_challenge")
                else:
                    person = await _active_person(conn, row.person_id)
                    if person is None:
                        error = invalid_grant("this person can no longer sign in")
                    else:
                        sid, refresh = await self._open(conn, person, client_id, row.scope)
                        await conn.execute(update(authorization_codes).where(
                            authorization_codes.c.code_hash == row.code_hash).values(session_id=sid))
                        issued = Issued(person, sid, refresh, client_id, row.scope)
        if error is not None:
            raise error
        assert issued is not None
        return issued

    # --- refresh tokens -----------------------------------------------------------------------

    async def refresh(self, token: str, client_id: str) -> Issued:
        error: Problem | None = None
        issued: Issued | None = None
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(refresh_tokens.c.token_hash, refresh_tokens.c.used_at,
                                             person_sessions).join(
                person_sessions, person_sessions.c.id == refresh_tokens.c.session_id).where(
                refresh_tokens.c.token_hash == digest(token)).with_for_update())).first()
            if row is None:
                error = invalid_grant("unknown refresh token")
            elif row.ended_at is not None:
                error = invalid_grant("this session has ended; sign in again")
            elif row.used_at is not None:
                await _end(conn, row.id, "refresh-token-reused")
                self.note_ended(row.id)
                error = invalid_grant("this refresh token was already used; the session is ended")
            elif row.client_id != client_id:
                error = invalid_grant("the refresh token was issued to another client")
            elif row.expires_at <= now:
                await _end(conn, row.id, "expired")
                error = invalid_grant("this session has expired; sign in again")
            else:
                person = await _active_person(conn, row.person_id)
                if person is None:
                    await _end(conn, row.id, "person-revoked")
                    error = invalid_grant("this person can no longer sign in")
                else:
                    await conn.execute(update(refresh_tokens).where(
                        refresh_tokens.c.token_hash == row.token_hash).values(used_at=now))
                    refresh = await self._rotate(conn, row.id)
                    issued = Issued(person, row.id, refresh, client_id, row.scope)
        if error is not None:
            raise error
        assert issued is not None
        return issued

    async def _open(self, conn: AsyncConnection, person: dict[str, Any], client_id: str, scope: str | None
                    ) -> tuple[uuid.UUID, str]:
        sid = uuid.uuid4()
        await conn.execute(insert(person_sessions).values(
            id=sid, person_id=person["id"], tenant_id=person["tenant_id"], client_id=client_id, scope=scope,
            expires_at=datetime.now(UTC) + self._refresh_ttl))
        return sid, await self._rotate(conn, sid)

    async def _rotate(self, conn: AsyncConnection, sid: uuid.UUID) -> str:
        """A new refresh token for the session, and its idle horizon moved on."""
        refresh = new_secret()
        await conn.execute(insert(refresh_tokens).values(token_hash=digest(refresh), session_id=sid))
        await conn.execute(update(person_sessions).where(person_sessions.c.id == sid).values(
            expires_at=datetime.now(UTC) + self._refresh_ttl))
        return refresh

    # --- the device authorization grant (RFC 8628) ---------------------------------------------

    async def start_device(self, client_id: str, scope: str | None) -> tuple[str, str]:
        device_code = new_secret()
        async with self._engine.begin() as conn:
            for _ in range(5):  # a clash among live user codes is rare; pick another
                user_code = new_user_code()
                taken = await conn.scalar(select(device_authorizations.c.user_code).where(
                    device_authorizations.c.user_code == user_code))
                if taken is None:
                    break
            await conn.execute(insert(device_authorizations).values(
                device_code_hash=digest(device_code), user_code=user_code, client_id=client_id, scope=scope,
                status="pending", interval=self.device_interval,
                expires_at=datetime.now(UTC) + timedelta(seconds=self.device_ttl)))
        return device_code, user_code

    async def pending_device(self, user_code: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(device_authorizations).where(
                device_authorizations.c.user_code == normal_user_code(user_code),
                device_authorizations.c.status == "pending",
                device_authorizations.c.expires_at > datetime.now(UTC)))).first()
        return dict(row._mapping) if row else None

    async def device_ticket(self, user_code: str, person_id: uuid.UUID) -> str | None:
        """After the person signed in: a one-time ticket for the Allow / Deny page."""
        ticket = new_secret()
        async with self._engine.begin() as conn:
            done = await conn.execute(update(device_authorizations).where(
                device_authorizations.c.user_code == normal_user_code(user_code),
                device_authorizations.c.status == "pending",
                device_authorizations.c.expires_at > datetime.now(UTC)
            ).values(person_id=person_id, ticket_hash=digest(ticket)))
        return ticket if done.rowcount else None

    async def decide_device(self, ticket: str, allow: bool) -> bool:
        async with self._engine.begin() as conn:
            done = await conn.execute(update(device_authorizations).where(
                device_authorizations.c.ticket_hash == digest(ticket),
                device_authorizations.c.status == "pending",
                device_authorizations.c.expires_at > datetime.now(UTC)
            ).values(status="approved" if allow else "denied", ticket_hash=None))
        return bool(done.rowcount)

    async def poll_device(self, device_code: str, client_id: str) -> Issued:
        error: Problem | None = None
        issued: Issued | None = None
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(device_authorizations).where(
                device_authorizations.c.device_code_hash == digest(device_code)).with_for_update())).first()
            if row is None or row.client_id != client_id:
                error = invalid_grant("unknown device code")
            elif row.status == "issued":
                error = invalid_grant("this device code was already exchanged")
            elif row.expires_at <= now:
                error = token_error(400, "expired_token", "the device code has expired; start again")
            elif row.last_polled_at is not None and (now - row.last_polled_at).total_seconds() < row.interval:
                await conn.execute(update(device_authorizations).where(
                    device_authorizations.c.device_code_hash == row.device_code_hash
                ).values(interval=row.interval + SLOW_DOWN_SECONDS, last_polled_at=now))
                error = token_error(400, "slow_down", f"poll at most every {row.interval + SLOW_DOWN_SECONDS} s")
            else:
                await conn.execute(update(device_authorizations).where(
                    device_authorizations.c.device_code_hash == row.device_code_hash).values(last_polled_at=now))
                if row.status == "pending":
                    error = token_error(400, "authorization_pending", "the person has not answered yet")
                elif row.status == "denied":
                    error = token_error(400, "access_denied", "the person denied the request")
                else:
                    person = await _active_person(conn, row.person_id)
                    if person is None:
                        error = token_error(400, "access_denied", "this person can no longer sign in")
                    else:
                        sid, refresh = await self._open(conn, person, client_id, row.scope)
                        await conn.execute(update(device_authorizations).where(
                            device_authorizations.c.device_code_hash == row.device_code_hash
                        ).values(status="issued", session_id=sid))
                        issued = Issued(person, sid, refresh, client_id, row.scope)
        if error is not None:
            raise error
        assert issued is not None
        return issued


async def _end(conn: AsyncConnection, sid: uuid.UUID, reason: str) -> None:
    await conn.execute(update(person_sessions).where(person_sessions.c.id == sid, person_sessions.c.ended_at.is_(None))
                       .values(ended_at=datetime.now(UTC), ended_reason=reason))


async def _active_person(conn: AsyncConnection, person_id: uuid.UUID | None) -> dict[str, Any] | None:
    if person_id is None:
        return None
    row = (await conn.execute(select(people).where(people.c.id == person_id, people.c.status == "active"))).first()
    return dict(row._mapping) if row else None
