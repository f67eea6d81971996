"""Async database access: one engine per process, sessions per unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from libs.common.settings import asyncpg_dsn, database_url_for

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5) -> AsyncEngine:
    async_url = make_url(url).set(drivername="postgresql+asyncpg")
    return create_async_engine(
        async_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        # asyncpg's own prepared-statement cache keeps hot statements planned.
        connect_args={"server_settings": {"application_name": "improvenet"}},
    )


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One transaction: commits when the block ends, rolls back if it raises."""
    async with factory() as session, session.begin():
        yield session


# From this many rows a batch goes by COPY: a many-row VALUES statement costs PostgreSQL its parse of
# every parameter and SQLAlchemy their processing one by one; COPY's binary rows cost less of both.
COPY_FROM = 100


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session's transaction (for COPY, which SQLAlchemy does not speak).

    SQLAlchemy begins the database transaction at its first statement: until then the driver is in
    autocommit, and a COPY there would commit on its own, whatever the unit of work does after.
    """
    raw = await (await session.connection()).get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection  # type: ignore[assignment]
    if not driver.is_in_transaction():
        await session.execute(text("SELECT 1"))
    if not driver.is_in_transaction():
        raise RuntimeError("COPY needs the session's transaction; the session is in autocommit")
    return driver


async def copy_rows(session: AsyncSession, table: str, columns: Sequence[str],
                    records: Sequence[Sequence[Any]]) -> None:
    """COPY `records` into `table` inside the session's transaction (it commits or rolls back with it)."""
    await (await driver_connection(session)).copy_records_to_table(table, records=records, columns=list(columns))


async def ensure_database(server_url: str, name: str) -> bool:
    """Create database `name` on the server if it is missing. Returns True when created."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url_for(server_url, "postgres")))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        # Identifiers cannot be bound parameters; names here come from our own constants.
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await conn.close()
