"""Random one-time secrets (codes, refresh tokens, links) and their stored form."""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the database keeps of a secret: its SHA-256 (the secret is random, so no salt is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()
