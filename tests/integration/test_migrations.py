"""Every component's migrations, run on an empty database, build exactly what its models declare.

Migrations carry their own DDL (they never call live code), so this is what catches drift: a column
added to a model without a migration, or a migration that no model reflects.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import TEXT, VARCHAR, MetaData
from sqlalchemy.engine import Connection
from sqlmodel import AutoString

from improvenet.registry import COMPONENTS
from libs.common.db import create_engine
from libs.common.tables import mechanism_metadata
from tests.conftest import new_database


def same_text_type(context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any,
                   metadata_type: Any) -> bool | None:
    """SQLModel's AutoString is an unbounded VARCHAR, which PostgreSQL treats exactly as TEXT."""
    if isinstance(metadata_type, AutoString) and getattr(metadata_type, "length", None) is None:
        return not isinstance(inspected_type, (TEXT, VARCHAR)) or bool(getattr(inspected_type, "length", None))
    return None  # Alembic's own comparison


def schema_differences(connection: Connection, metadata: list[MetaData]) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": same_text_type,
                                                           "compare_server_default": False})
    return list(compare_metadata(context, metadata))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [c.name for c in COMPONENTS])
async def test_migrated_schema_matches_the_models(pg_server: str, name: str) -> None:
    url = await new_database(pg_server, f"mig_{name}", service=name)
    models = importlib.import_module(f"{next(c for c in COMPONENTS if c.name == name).package}.models")
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(schema_differences, [models.metadata, mechanism_metadata])
    finally:
        await engine.dispose()
    ignored = {"alembic_version"}
    differences = [d for d in differences if not (d[0] == "remove_table" and d[1].name in ignored)]
    assert differences == [], f"{name}: migrations and models differ: {differences}"


async def test_the_comparison_sees_a_column_no_migration_created(pg_server: str) -> None:
    """Positive control: a model column the migrations never made is reported."""
    from sqlalchemy import Column, Text

    from services.networks.models import metadata

    url = await new_database(pg_server, "mig_control", service="networks")
    drifted = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["school_directory"].append_column(Column("not_migrated", Text))
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(schema_differences, [drifted, mechanism_metadata])
    finally:
        await engine.dispose()
    assert [d[0] for d in differences] == ["add_column"] and differences[0][3].name == "not_migrated"
