"""The embedded issuer's signing keys (in the gateway's database) and minting tokens with them.

A rotated key stops signing at once but stays published until every token it signed has expired;
then it leaves the JWKS, and every verifier that reads the JWKS stops trusting it (the bootstrap key
from `keys/private.pem` included: see libs.common.auth.KeySet).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.models import signing_keys
from libs.common.auth import jwk_thumbprint


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
        """The active key and every retired key whose tokens may still be unexpired."""
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
