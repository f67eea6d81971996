"""Each component has its own Alembic history (services/<name>/migrations, gateway/migrations).

Callers name the history's folder: libs know no component by name.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from libs.common.tables import mechanism_metadata


def alembic_config(migrations: Path, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    if url:
        cfg.set_main_option("sqlalchemy.url", make_url(url).set(drivername="postgresql+asyncpg")
                            .render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(migrations: Path, url: str, revision: str = "head") -> None:
    """Migrate a database with the history in `migrations` (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(migrations, url), revision)


def head_revision(migrations: Path) -> str | None:
    return ScriptDirectory.from_config(alembic_config(migrations)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        exists = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
        if not exists:
            return None
        return await conn.scalar(text("SELECT version_num FROM alembic_version"))


def run_env(context: EnvironmentContext, target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online, async)."""

    def include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        # the mechanism tables are created by libs.common.tables, not by a service's models
        return not (type_ == "table" and name in mechanism_metadata.tables)

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                          include_object=include)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(context.config.get_main_option("sqlalchemy.url") or "")
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
