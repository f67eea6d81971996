"""The embedded issuer's signing keys (RSA), and minting tokens with them for local use."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from libs.common.auth import jwk_thumbprint


def ensure_signing_keys(state_dir: Path) -> Path:
    """Create `keys/private.pem` and `keys/public.pem` under `state_dir` once; returns the folder."""
    folder = state_dir / "keys"
    private_path, public_path = folder / "private.pem", folder / "public.pem"
    if private_path.exists() and public_path.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    private_path.chmod(0o600)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return folder


def mint_token(private_pem: bytes, *, tenant: str, issuer: str, audience: str, subject: str = "local-admin",
               scopes: Sequence[str], schools: list[str] | None = None, ttl_seconds: int = 3600,
               kid: str | None = None) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": issuer, "aud": audience, "sub": subject, "tenant": tenant, "iat": now, "nbf": now,
        "exp": now + ttl_seconds, "jti": str(uuid.uuid4()),
        "scope": " ".join(scopes),
    }
    if schools is not None:
        claims["schools"] = schools
    key: Any = serialization.load_pem_private_key(private_pem, None)
    headers = {"kid": kid or jwk_thumbprint(key.public_key())}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)
