"""Bulk upsert by external id: one prebuilt Core statement per batch shape (the load's hot path).

Insert new records, update changed ones, leave identical ones alone (and emit nothing for them):
resending the same batch changes nothing, which makes district IT's retries safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, Field
from sqlalchemy import Column, MetaData, Table, case, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common import db
from libs.common.problems import Problem
from services.hr.examples import SCHOOL

Outcome = Literal["created", "updated", "unchanged"]


class BulkItemResult(BaseModel):
    index: int = Field(examples=[0])
    id: uuid.UUID = Field(examples=[SCHOOL])
    external_id: str = Field(examples=["s-alder-creek"])
    outcome: Outcome


class BulkResult(BaseModel):
    created: int = Field(examples=[1])
    updated: int = Field(examples=[0])
    unchanged: int = Field(examples=[0])
    items: list[BulkItemResult]


def bulk_key_errors(keys: Sequence[str | None], field: str) -> list[dict[str, str]]:
    """Each item needs the external id it is matched on, once per batch."""
    errors: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is None:
            errors.append({"field": f"items[{i}].{field}", "message": f"required: items are matched on {field}"})
        elif key in seen:
            errors.append({"field": f"items[{i}].{field}",
                           "message": f"appears twice in this batch (also items[{seen[key]}])"})
        else:
            seen[key] = i
    return errors


# `PUT .../by-external-id/{system}/{external_id}`: the system names which external id the path carries.
ExternalSystem = Literal["ed-fi", "oneroster"]
ExternalIdInPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00/]*$",
                                       description="The id as the SIS knows it.")]


def keyed_item(values: dict[str, Any], key: str, external_id: str) -> dict[str, Any]:
    """A one-item load whose external id is the path's; a body naming another id is refused."""
    if values.get(key) not in (None, external_id):
        raise Problem(422, "Invalid request", f"{key} differs from the id in the path", slug="validation-error",
                      errors=[{"field": key, "message": f"must be {external_id!r}, the id in the path, or absent"}])
    return {**values, key: external_id}


async def single(load: Awaitable[BulkResult]) -> BulkItemResult:
    """The outcome of a one-item load, its problems naming the body's fields (`school_id`, not
    `items[0].school_id`)."""
    try:
        result = await load
    except Problem as problem:
        problem.errors = [{**e, "field": str(e.get("field", "")).removeprefix("items[0].") or None}
                          for e in problem.errors]
        problem.title, problem.detail, problem.slug = "Invalid request", "; ".join(
            f"{e['field']}: {e['message']}" for e in problem.errors) or problem.detail, "validation-error"
        raise
    return result.items[0]


def invalid_batch(errors: list[dict[str, str]]) -> Problem:
    return Problem(422, "Invalid batch", f"{len(errors)} item(s) are invalid; nothing was written",
                   slug="invalid-batch", errors=errors)


@lru_cache(maxsize=16)
def staging_table(table: Table) -> Table:
    """A session-local copy of `table`'s columns (no constraints) that COPY fills and each commit empties."""
    return Table(f"staging_{table.name}", MetaData(), *[Column(c.name, c.type) for c in table.c])


@lru_cache(maxsize=64)
def upsert_statement(table: Table, match_on: str, fields: tuple[str, ...], insert_only: tuple[str, ...] = (),
                     on_change: tuple[tuple[str, str], ...] = (), staged: tuple[str, ...] = ()) -> Any:
    """INSERT ... ON CONFLICT (external id) DO UPDATE only where something differs, built once per shape.

    `insert_only` columns are written for a new record and never on a re-load (the stage hr holds);
    each (watched, column) of `on_change` takes the new value only when `watched` changes (the date
    an educator entered a stage). With `staged` columns the rows come from the staging table
    (`INSERT ... SELECT`) instead of the statement's parameters.
    """
    stmt = pg_insert(table)
    if staged:
        stage = staging_table(table)
        stmt = stmt.from_select(list(staged), select(*[stage.c[c] for c in staged]))
    excluded = stmt.excluded
    follow = {col: case((table.c[watched].is_distinct_from(excluded[watched]), excluded[col]), else_=table.c[col])
              for watched, col in on_change if watched in fields}
    return stmt.on_conflict_do_update(
        constraint=f"uq_{table.name}__{match_on}",
        set_={**{f: excluded[f] for f in fields}, **follow, "version": table.c.version + 1,
              "updated_at": excluded.updated_at},
        where=tuple_(*[table.c[f] for f in fields]).is_distinct_from(tuple_(*[excluded[f] for f in fields])),
    ).returning(*table.c, literal_column("xmax = 0").label("inserted"))


async def _written(session: AsyncSession, table: Table, match_on: str, fields: tuple[str, ...],
                   insert_only: tuple[str, ...], on_change: tuple[tuple[str, str], ...],
                   rows: list[dict[str, Any]]) -> Sequence[Any]:
    """The upsert of `rows` in the session's transaction: by COPY and a staging table when many."""
    if len(rows) < db.COPY_FROM:  # a PUT of one item, a small batch: one statement
        # The rows go as parameters of one statement (batched by SQLAlchemy's insertmanyvalues), so its
        # SQL is compiled once per shape, not once per batch of literal rows.
        return (await session.execute(upsert_statement(table, match_on, fields, insert_only, on_change),
                                      rows)).all()
    columns = tuple(rows[0])
    stage = staging_table(table).name
    driver = await db.driver_connection(session)
    # Created once per database session; ON COMMIT DELETE ROWS empties it (a rollback drops what it held).
    await driver.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} "
                         f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    await driver.execute(f"TRUNCATE {stage}")  # an earlier batch of this same transaction
    await db.copy_rows(session, stage, columns, list(map(itemgetter(*columns), rows)))
    return (await session.execute(upsert_statement(table, match_on, fields, insert_only, on_change,
                                                   staged=columns))).all()


@dataclass(frozen=True)
class Written:
    """One item's row as written (None when unchanged) and its id."""

    index: int
    key: str
    id: uuid.UUID
    row: Any | None

    @property
    def outcome(self) -> Outcome:
        if self.row is None:
            return "unchanged"
        return "created" if self.row.inserted else "updated"


async def upsert(session: AsyncSession, table: Table, tenant_id: str, match_on: str,
                 groups: Sequence[tuple[tuple[str, ...], list[tuple[int, dict[str, Any]]]]],
                 now: Any, on_change: tuple[tuple[str, str], ...] = ()) -> list[Written]:
    """Run the upsert for each group of items sharing (insert-only columns); results in item order."""
    followers = {col for _, col in on_change}
    by_key: dict[str, Any] = {}
    keys: list[tuple[int, str]] = []
    all_fields = sorted({k for _, indexed in groups for _, item in indexed for k in item})
    for insert_only, indexed in groups:
        if not indexed:
            continue
        fields = tuple(f for f in all_fields if f not in insert_only and f not in followers)
        rows = [{"id": uuid.uuid4(), "tenant_id": tenant_id, "version": 1, "created_at": now, "updated_at": now,
                 **{f: item.get(f) for f in all_fields}, **{f: item[f] for f in insert_only}}
                for _, item in indexed]
        written = await _written(session, table, match_on, fields, insert_only, on_change, rows)
        by_key.update({getattr(r, match_on): r for r in written})
        keys += [(n, item[match_on]) for n, item in indexed]
    unchanged = [k for _, k in keys if k not in by_key]
    ids: dict[str, uuid.UUID] = {}
    if unchanged:
        ids = dict((await session.execute(
            select(table.c[match_on], table.c.id).where(table.c.tenant_id == tenant_id,
                                                        table.c[match_on].in_(unchanged)))).tuples().all())
    return [Written(n, k, by_key[k].id if k in by_key else ids[k], by_key.get(k)) for n, k in sorted(keys)]


def result_of(written: Sequence[Written]) -> BulkResult:
    items = [BulkItemResult(index=w.index, id=w.id, external_id=w.key, outcome=w.outcome) for w in written]
    counts = {o: sum(1 for r in items if r.outcome == o) for o in ("created", "updated", "unchanged")}
    return BulkResult(items=items, **counts)
