"""Per-resource mechanics every service needs: tenant-scoped reads, reference checks, versions.

Another tenant's object is the same as no object: a read answers 404 and a reference answers the
invalid-reference problem naming the field, so nothing tells a caller that the id exists elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.concurrency import stale
from libs.common.problems import Problem, not_found


def table_of(model: Any) -> Table:
    """A Core table, given the table itself or a SQLModel `X(table=True)` class."""
    return model if isinstance(model, Table) else model.__table__  # type: ignore[no-any-return]


async def get_or_404(session: AsyncSession, model: Any, object_id: Any, tenant_id: str, *, label: str,
                     for_update: bool = False, id_column: str = "id",
                     where: Sequence[ColumnElement[bool]] = ()) -> RowMapping:
    """The row of `model` with this id in this tenant, or 404 (`FOR UPDATE` locks it for the caller)."""
    table = table_of(model)
    stmt = select(table).where(table.c[id_column] == object_id, table.c.tenant_id == tenant_id, *where)
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.execute(stmt)).mappings().first()
    if row is None:
        raise not_found(label)
    return row


REPLICA_LAG = ("an object created a moment ago reaches the other services within a second or two: "
               "if you have just created it, try again")


def invalid_reference(fields: Sequence[tuple[str, str]], *, replica: bool = False) -> Problem:
    """422 naming each field whose id is unknown in the tenant: (field, what it should name). `replica`:
    some were looked up in a replica of another service, which may not have caught up yet."""
    detail = "; ".join(f"{f}: no such {label} in your organisation" for f, label in fields)
    if replica:
        detail += f" ({REPLICA_LAG})"
    return Problem(422, "Invalid reference", detail, slug="invalid-reference",
                   errors=[{"field": f, "message": f"no such {label}"} for f, label in fields])


@dataclass(frozen=True)
class Reference:
    """Ids a request names, each of which must exist in the caller's tenant.

    `ids` maps the field path as the caller wrote it (`observers[2]`) to the id; `where` adds
    conditions (a replica row not removed, a school the token may see); `replica` marks a lookup in a
    replica fed by another service's events, which lags its source by the time an event takes to arrive.
    """

    model: Any
    label: str
    ids: dict[str, Any]
    id_column: str = "id"
    where: Sequence[ColumnElement[bool]] = field(default_factory=tuple)
    replica: bool = False


def reference(model: Any, label: str, field_name: str, values: Any, *, id_column: str = "id",
              where: Sequence[ColumnElement[bool]] = (), replica: bool = False) -> Reference:
    """A Reference for one field holding one id (None: nothing to check) or a list of ids."""
    if values is None:
        ids: dict[str, Any] = {}
    elif isinstance(values, (list, tuple)):
        ids = {f"{field_name}[{n}]": v for n, v in enumerate(values) if v is not None}
    else:
        ids = {field_name: values}
    return Reference(model, label, ids, id_column, tuple(where), replica)


async def unknown_references(session: AsyncSession, tenant_id: str, references: Iterable[Reference]
                             ) -> list[tuple[str, str]]:
    """(field, label) of every id that names nothing in the tenant: one query per referenced table."""
    missing: list[tuple[str, str]] = []
    for ref in references:
        if not ref.ids:
            continue
        table = table_of(ref.model)
        column = table.c[ref.id_column]
        wanted = set(ref.ids.values())
        found = set((await session.execute(
            select(column).where(table.c.tenant_id == tenant_id, column.in_(wanted), *ref.where))).scalars())
        missing += [(f, ref.label) for f, v in ref.ids.items() if _normal(v) not in {_normal(x) for x in found}]
    return missing


async def require_known(session: AsyncSession, tenant_id: str, *references: Reference) -> None:
    """Raise the invalid-reference problem (422, every bad field named) unless every id exists."""
    missing = await unknown_references(session, tenant_id, references)
    if missing:
        replicated = {f for ref in references if ref.replica for f in ref.ids}
        raise invalid_reference(missing, replica=any(f in replicated for f, _ in missing))


def check_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: the caller's If-Match must name the current version (412 otherwise)."""
    if expected is not None and current != expected:
        raise stale(current)


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            return value
    return value
