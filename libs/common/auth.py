"""Verification of signed access tokens, and the tenancy every request carries.

The tenant comes only from a verified token, never from a path, a body or a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from libs.common.problems import Problem

ALL_SCOPES = ("hr:read", "hr:write", "hr:pii", "observations:read", "observations:write",
              "observations:identify", "networks:read", "networks:write", "strategy:read", "strategy:write",
              "admin")


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant_id: str
    scopes: frozenset[str]
    schools: frozenset[str] | None  # None: not limited to some schools
    token_id: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, slug="invalid-token",
                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenVerifier:
    def __init__(self, public_keys: list[bytes], *, issuer: str, audience: str) -> None:
        if not public_keys:
            raise ValueError("at least one verification key is needed")
        self._keys = [_load_key(k) for k in public_keys]
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        last_error: Exception | None = None
        for key, algorithms in self._keys:
            try:
                claims = jwt.decode(token, key, algorithms=algorithms, audience=self._audience,
                                    issuer=self._issuer, options={"require": ["exp", "iss", "aud", "sub"]})
                return principal_from_claims(claims)
            except jwt.InvalidSignatureError as exc:
                last_error = exc
                continue
            except jwt.InvalidTokenError as exc:
                raise _unauthorized(f"token rejected: {exc}") from exc
        raise _unauthorized(f"token rejected: {last_error}")


def _load_key(pem: bytes) -> tuple[Any, list[str]]:
    """A public key with the one algorithm family it may verify (no algorithm confusion)."""
    key = serialization.load_pem_public_key(pem)
    if isinstance(key, rsa.RSAPublicKey):
        return key, ["RS256"]
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key, ["ES256"]
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key, ["EdDSA"]
    raise ValueError(f"unsupported verification key type {type(key).__name__}")


def principal_from_claims(claims: dict[str, object]) -> Principal:
    tenant = claims.get("tenant")
    if not isinstance(tenant, str) or not tenant:
        raise _unauthorized("token has no tenant")
    scope = claims.get("scope", "")
    schools = claims.get("schools")
    return Principal(
        subject=str(claims["sub"]),
        tenant_id=tenant,
        scopes=frozenset(scope.split() if isinstance(scope, str) else []),
        schools=frozenset(str(s) for s in schools) if isinstance(schools, list) else None,
        token_id=str(claims.get("jti")) if claims.get("jti") else None,
    )


bearer = HTTPBearer(auto_error=False, description="An access token from the gateway's /oauth/token.")


def authenticate(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("missing bearer token")
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require(scope: str) -> Any:
    """A dependency that refuses (403) a token without `scope` (admin holds every scope of its tenant)."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not (principal.has(scope) or principal.has("admin")):
            raise Problem(403, "Forbidden", f"this call needs the scope {scope}", slug="insufficient-scope",
                          headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})
        return principal

    return Depends(check)
