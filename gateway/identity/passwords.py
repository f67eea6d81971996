"""Passwords: argon2id hashes (argon2-cffi), verified off the event loop, rehashed when the
parameters change; and the rules a new password must meet."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12


class Passwords:
    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        # Verifying against this when no person has the e-mail takes as long as a real check, so the
        # answer's timing does not tell whether an account exists.
        self._decoy = self._hasher.hash("no account has this password")

    async def hash(self, password: str) -> str:
        # argon2 takes tens of milliseconds of CPU by design: in a thread, so other requests go on
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        try:
            return await asyncio.to_thread(self._hasher.verify, stored or self._decoy, password) and bool(stored)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def new_password_problems(password: str, confirm: str, email: str) -> dict[str, str]:
    """Field -> message for a password a person chose (empty when it will do)."""
    problems: dict[str, str] = {}
    if len(password) < MIN_LENGTH:
        problems["password"] = f"Use at least {MIN_LENGTH} characters."
    elif password.strip().lower() == email.strip().lower():
        problems["password"] = "Your password cannot be your e-mail address."
    if "password" not in problems and confirm != password:
        problems["confirm"] = "The two passwords differ."
    return problems
