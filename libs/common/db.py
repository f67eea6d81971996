"""Async database access: one engine per process, sessions per unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
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
