"""The embedded identity provider: OAuth2 client credentials, signed JWTs, JWKS, a client registry.

Secrets are stored as scrypt hashes and shown once. Signing keys live in the gateway's database; a
rotated key stops signing at once but stays published until every token it signed has expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.models import clients, signing_keys
from libs.common.auth import jwk_thumbprint
from libs.common.problems import Problem, not_found

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


# --- secrets ---------------------------------------------------------------------------------

def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def secret_matches(secret: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), **SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def new_client_id() -> str:
    return "cli_" + secrets.token_hex(10)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# --- scopes ----------------------------------------------------------------------------------

def check_scopes(scopes: list[str], known: Collection[str], field: str = "scopes") -> list[str]:
    unknown = sorted(set(scopes) - set(known))
    if unknown:
        raise Problem(422, "Unknown scope", f"unknown scope(s): {' '.join(unknown)}", slug="unknown-scope",
                      errors=[{"field": field, "message": f"known scopes: {' '.join(known)}"}])
    return sorted(set(scopes))


def granted_scopes(requested: str | None, allowed: list[str]) -> list[str]:
    """RFC 6749 §3.3: no `scope` asks for everything the client may have; more than that is refused."""
    if not requested:
        return sorted(allowed)
    wanted = set(requested.split())
    if not wanted <= set(allowed):
        raise token_error(400, "invalid_scope", "requested scope exceeds what this client may have: "
                          + " ".join(sorted(wanted - set(allowed))))
    return sorted(wanted)


def token_error(status: int, code: str, description: str) -> Problem:
    """A token-endpoint error: problem+json that also carries RFC 6749's `error` member."""
    problem = Problem(status, "Token request refused", description, slug=code.replace("_", "-"),
                      headers={"Cache-Control": "no-store"})
    problem.extra = {"error": code, "error_description": description}
    if code == "invalid_client":
        problem.headers["WWW-Authenticate"] = 'Basic realm="improvenet"'
    return problem


# --- signing keys ----------------------------------------------------------------------------

def public_jwk(private_key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def pem_of(private_key: rsa.RSAPrivateKey) -> str:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()


@dataclass
class ActiveKey:
    kid: str
    key: Any
    loaded_at: float


class SigningKeys:
    def __init__(self, engine: AsyncEngine, *, token_ttl: int, seed_pem: Path | None = None) -> None:
        self._engine = engine
        self._ttl = token_ttl
        self._seed = seed_pem
        self._active: ActiveKey | None = None

    async def ensure(self) -> None:
        """A key to sign with: the local state key on first start (so CLI tokens verify too), else a new one."""
        async with self._engine.begin() as conn:
            found = await conn.scalar(select(signing_keys.c.kid).where(signing_keys.c.retired_at.is_(None)))
            if found:
                return
            if self._seed is not None and self._seed.exists():
                key: Any = serialization.load_pem_private_key(self._seed.read_bytes(), None)
            else:
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            await self._insert(conn, key)

    async def _insert(self, conn: Any, key: Any) -> str:
        kid = jwk_thumbprint(key.public_key())
        await conn.execute(insert(signing_keys).values(kid=kid, private_pem=pem_of(key),
                                                       public_jwk=public_jwk(key, kid)))
        return kid

    async def active(self) -> ActiveKey:
        if self._active is None or time.monotonic() - self._active.loaded_at > 10:
            async with self._engine.connect() as conn:
                row = (await conn.execute(select(signing_keys.c.kid, signing_keys.c.private_pem)
                                          .where(signing_keys.c.retired_at.is_(None))
                                          .order_by(signing_keys.c.created_at.desc()).limit(1))).first()
            if row is None:
                raise RuntimeError("no active signing key; the gateway creates one at start")
            self._active = ActiveKey(row.kid, serialization.load_pem_private_key(row.private_pem.encode(), None),
                                     time.monotonic())
        return self._active

    async def jwks(self) -> dict[str, Any]:
        horizon = datetime.now(UTC) - timedelta(seconds=self._ttl + 60)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(signing_keys.c.public_jwk).where(
                or_(signing_keys.c.retired_at.is_(None), signing_keys.c.retired_at > horizon)))).scalars().all()
        return {"keys": list(rows)}

    async def rotate(self) -> str:
        async with self._engine.begin() as conn:
            await conn.execute(update(signing_keys).where(signing_keys.c.retired_at.is_(None))
                               .values(retired_at=datetime.now(UTC)))
            kid = await self._insert(conn, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        self._active = None
        return kid


# --- the client registry ---------------------------------------------------------------------

CLIENT_COLUMNS = (clients.c.client_id, clients.c.name, clients.c.scopes, clients.c.schools, clients.c.created_at,
                  clients.c.secret_rotated_at, clients.c.revoked_at)


class Clients:
    def __init__(self, engine: AsyncEngine, known_scopes: Collection[str]) -> None:
        self._engine = engine
        self._known_scopes = tuple(known_scopes)
        self._revoked: frozenset[str] = frozenset()
        self._revoked_at = 0.0

    async def create(self, tenant_id: str, name: str, scopes: list[str], schools: list[str] | None
                     ) -> tuple[dict[str, Any], str]:
        client_id, secret = new_client_id(), new_secret()
        async with self._engine.begin() as conn:
            await conn.execute(insert(clients).values(client_id=client_id, tenant_id=tenant_id, name=name,
                                                      secret_hash=hash_secret(secret),
                                                      scopes=check_scopes(scopes, self._known_scopes),
                                                      schools=schools))
        return await self.get(tenant_id, client_id), secret

    async def list(self, tenant_id: str) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(*CLIENT_COLUMNS).where(clients.c.tenant_id == tenant_id)
                                      .order_by(clients.c.created_at))
            return [dict(r._mapping) for r in rows]

    async def get(self, tenant_id: str, client_id: str) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*CLIENT_COLUMNS).where(
                and_(clients.c.tenant_id == tenant_id, clients.c.client_id == client_id)))).first()
        if row is None:
            raise not_found("client")
        return dict(row._mapping)

    async def rotate_secret(self, tenant_id: str, client_id: str) -> tuple[dict[str, Any], str]:
        secret = new_secret()
        async with self._engine.begin() as conn:
            done = await conn.execute(update(clients).where(
                clients.c.tenant_id == tenant_id, clients.c.client_id == client_id, clients.c.revoked_at.is_(None)
            ).values(secret_hash=hash_secret(secret), secret_rotated_at=datetime.now(UTC)))
        if done.rowcount == 0:
            raise not_found("active client")
        return await self.get(tenant_id, client_id), secret

    async def revoke(self, tenant_id: str, client_id: str) -> None:
        async with self._engine.begin() as conn:
            done = await conn.execute(update(clients).where(
                clients.c.tenant_id == tenant_id, clients.c.client_id == client_id
            ).values(revoked_at=datetime.now(UTC)))
        if done.rowcount == 0:
            raise not_found("client")
        self._revoked_at = 0.0

    async def authenticate(self, client_id: str, secret: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(clients).where(clients.c.client_id == client_id))).first()
        if row is None or row.revoked_at is not None or not secret_matches(secret, row.secret_hash):
            return None
        return dict(row._mapping)

    async def is_revoked(self, client_id: str) -> bool:
        """Revocations reach every gateway replica within a few seconds (cached, refreshed)."""
        if time.monotonic() - self._revoked_at > 3:
            async with self._engine.connect() as conn:
                rows = await conn.execute(select(clients.c.client_id).where(clients.c.revoked_at.is_not(None)))
                self._revoked = frozenset(r.client_id for r in rows)
            self._revoked_at = time.monotonic()
        return client_id in self._revoked


async def mint(keys: SigningKeys, client: dict[str, Any], scopes: list[str], *, issuer: str, audience: str,
               ttl: int) -> str:
    active = await keys.active()
    now = int(time.time())
    claims: dict[str, Any] = {"iss": issuer, "aud": audience, "sub": client["client_id"],
                              "client_id": client["client_id"], "tenant": client["tenant_id"],
                              "scope": " ".join(scopes), "iat": now, "nbf": now, "exp": now + ttl,
                              "jti": str(uuid.uuid4())}
    if client.get("schools") is not None:
        claims["schools"] = list(client["schools"])
    return jwt.encode(claims, active.key, algorithm="RS256", headers={"kid": active.kid})
