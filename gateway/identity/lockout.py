"""Consecutive sign-in failures per e-mail, and the lockout they lead to.

Counted for every e-mail typed, whether an account has it or not, so the lockout message cannot tell
anyone which e-mails have accounts.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.identity.tables import sign_in_failures


class Lockout:
    def __init__(self, engine: AsyncEngine, *, max_failures: int, lockout_seconds: int) -> None:
        self._engine = engine
        self.max_failures = max_failures
        self._lockout = timedelta(seconds=lockout_seconds)

    async def locked_minutes(self, email: str) -> int | None:
        """Minutes left (rounded up) while `email` is locked, else None."""
        async with self._engine.connect() as conn:
            until = await conn.scalar(select(sign_in_failures.c.locked_until).where(sign_in_failures.c.email == email))
        return minutes_left(until)

    async def failed(self, email: str) -> int | None:
        """Count a failure; the minutes of the lockout it started, if it was the last one allowed."""
        now = datetime.now(UTC)
        statement = insert(sign_in_failures).values(email=email, failures=1, updated_at=now)
        statement = statement.on_conflict_do_update(index_elements=["email"], set_={
            "failures": sign_in_failures.c.failures + 1, "updated_at": now})
        async with self._engine.begin() as conn:
            failures = await conn.scalar(statement.returning(sign_in_failures.c.failures))
            if failures is not None and failures >= self.max_failures:
                until = now + self._lockout
                await conn.execute(sign_in_failures.update().where(sign_in_failures.c.email == email)
                                   .values(failures=0, locked_until=until))
                return minutes_left(until)
        return None

    async def succeeded(self, email: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(sign_in_failures.delete().where(sign_in_failures.c.email == email))


def minutes_left(until: datetime | None) -> int | None:
    if until is None:
        return None
    seconds = (until - datetime.now(UTC)).total_seconds()
    return math.ceil(seconds / 60) if seconds > 0 else None
