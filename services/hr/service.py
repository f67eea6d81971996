"""hr's use cases: the directory of districts, schools and educators.

Plain functions over a session, each inside the caller's transaction; every change records its event
in the outbox in that same transaction. Rules that need no database are plain functions too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, cast

from sqlalchemy import Table, insert, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.concurrency import stale
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import Problem, not_found
from libs.contracts.base import EventPayload
from services.hr import events
from services.hr.models import District, Educator, HRTable, School, utcnow
from services.hr.schemas import BulkItemResult, BulkResult, EducatorPublic
from services.hr.settings import SERVICE

PERSONAL_FIELDS = ("given_name", "family_name", "email")


# --- rules without a database ----------------------------------------------------------------

def changes(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The fields of `patch` whose values differ from `current`."""
    return {k: v for k, v in patch.items() if current.get(k) != v}


def same_facts(before: EventPayload, after: EventPayload) -> bool:
    """True when an event would tell consumers nothing new (only personal data changed)."""
    return before.model_dump(exclude={"version"}) == after.model_dump(exclude={"version"})


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


def fields_of(record: Any) -> dict[str, Any]:
    """A record's columns, whether it came from the ORM or from a Core INSERT ... RETURNING."""
    return dict(record._mapping) if hasattr(record, "_mapping") else dict(record.model_dump())


def educator_view(e: Any, *, include_personal: bool) -> EducatorPublic:
    data = fields_of(e)
    if not include_personal:
        data.update(dict.fromkeys(PERSONAL_FIELDS))
    return EducatorPublic.model_validate(data)


# --- resources --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Resource:
    """How one kind of record is named, evented and referenced."""

    model: type[HRTable]
    label: str
    registered: Callable[[Any], EventPayload]
    updated: Callable[[Any], EventPayload]
    removed: Callable[[Any], EventPayload]
    references: dict[str, type[HRTable]]  # field -> the record it must name in the same tenant
    school_field: str | None  # the column a school-scoped token is limited by (None: not school data)

    @property
    def table(self) -> Table:
        return cast(Table, self.model.__table__)  # type: ignore[attr-defined]

    @cached_property
    def insert_returning(self) -> Any:
        """Built once: the hot write path reuses its compiled form."""
        return insert(self.table).returning(*self.table.c)


DISTRICTS = Resource(District, "district", events.district_registered, events.district_updated,
                     events.district_removed, {}, None)
SCHOOLS = Resource(School, "school", events.school_registered, events.school_updated, events.school_removed,
                   {"district_id": District}, "id")
EDUCATORS = Resource(Educator, "educator", events.educator_registered, events.educator_updated,
                     events.educator_removed, {"school_id": School}, "school_id")


def outside_schools(field: str) -> Problem:
    return Problem(403, "Forbidden", f"{field}: outside the schools this client may reach",
                   slug="outside-school-scope", errors=[{"field": field, "message": "outside your schools"}])


def check_school_scope(principal: Principal, resource: Resource, values: dict[str, Any], prefix: str = "") -> None:
    """A school-scoped token may only write records of its own schools (and no districts or schools)."""
    if principal.schools is None:
        return
    if resource.school_field in (None, "id"):
        raise Problem(403, "Forbidden", f"a client limited to some schools cannot change {resource.label}s",
                      slug="outside-school-scope")
    field = resource.school_field or ""
    if field in values and not principal.may_see_school(values[field]):
        raise outside_schools(prefix + field)


def visible(principal: Principal, resource: Resource, record: Any) -> bool:
    if principal.schools is None or resource.school_field is None:
        return True
    return principal.may_see_school(getattr(record, resource.school_field))


async def _emit(session: AsyncSession, tenant_id: str, payloads: list[EventPayload]) -> None:
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant_id)


async def check_references(session: AsyncSession, tenant_id: str, resource: Resource,
                            values: dict[str, Any], prefix: str = "") -> None:
    """A reference to a record of another tenant is the same as one to no record at all."""
    for field, target in resource.references.items():
        ref = values.get(field)
        if ref is None:
            continue
        t: Any = target
        found = await session.scalar(select(t.id).where(t.id == ref, t.tenant_id == tenant_id))
        if found is None:
            name = target.__tablename__
            raise Problem(422, "Invalid reference", f"{prefix}{field}: no such {name} in your organisation",
                          slug="invalid-reference",
                          errors=[{"field": f"{prefix}{field}", "message": f"no such {name}"}])


async def create(session: AsyncSession, principal: Principal, resource: Resource, values: dict[str, Any]) -> Any:
    tenant_id = principal.tenant_id
    check_school_scope(principal, resource, values)
    await check_references(session, tenant_id, resource, values)
    table = resource.table
    now = utcnow()
    # One prebuilt INSERT ... RETURNING: the hot write path skips the ORM's unit-of-work bookkeeping.
    row = (await session.execute(resource.insert_returning, {
        "id": uuid.uuid4(), "tenant_id": tenant_id, "version": 1, "created_at": now, "updated_at": now,
        **{c.name: None for c in table.c if c.name not in values and c.nullable}, **values,
    })).one()
    await _emit(session, tenant_id, [resource.registered(row)])
    return row


async def get(session: AsyncSession, principal: Principal, resource: Resource, record_id: uuid.UUID,
              *, for_update: bool = False) -> Any:
    """Another tenant's record, or one outside a school-scoped token's schools, is not found."""
    model: Any = resource.model
    stmt = select(model).where(model.id == record_id, model.tenant_id == principal.tenant_id)
    if for_update:
        stmt = stmt.with_for_update()
    record = (await session.execute(stmt)).scalars().first()
    if record is None or not visible(principal, resource, record):
        raise not_found(resource.label)
    return record


async def update(session: AsyncSession, principal: Principal, resource: Resource, record_id: uuid.UUID,
                 expected_version: int, patch: dict[str, Any]) -> Any:
    tenant_id = principal.tenant_id
    record = await get(session, principal, resource, record_id, for_update=True)
    check_school_scope(principal, resource, patch)
    if record.version != expected_version:
        raise stale(record.version)
    diff = changes(record.model_dump(), patch)
    if not diff:
        return record
    await check_references(session, tenant_id, resource, diff)
    before = resource.updated(record)
    for k, v in diff.items():
        setattr(record, k, v)
    record.version += 1
    record.updated_at = utcnow()
    session.add(record)
    await session.flush()
    after = resource.updated(record)
    if not same_facts(before, after):
        await _emit(session, tenant_id, [after])
    return record


async def delete(session: AsyncSession, principal: Principal, resource: Resource, record_id: uuid.UUID,
                 expected_version: int | None) -> Any:
    tenant_id = principal.tenant_id
    record = await get(session, principal, resource, record_id, for_update=True)
    check_school_scope(principal, resource, {})
    if expected_version is not None and record.version != expected_version:
        raise stale(record.version)
    await _emit(session, tenant_id, [resource.removed(record)])
    await session.delete(record)
    await session.flush()
    return record


async def list_page(session: AsyncSession, principal: Principal, resource: Resource, page: PageRequest,
                    filters: dict[str, Any]) -> tuple[list[Any], str | None]:
    model: Any = resource.model
    stmt = select(model).where(model.tenant_id == principal.tenant_id)
    if principal.schools is not None and resource.school_field:
        stmt = stmt.where(getattr(model, resource.school_field).in_([_uuid_or_none(s) for s in principal.schools]))
    for field, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, field) == value)
    if page.after:
        stmt = stmt.where(model.id > uuid.UUID(str(page.after.get("id"))))
    stmt = stmt.order_by(model.id).limit(page.size + 1)
    rows = list((await session.execute(stmt)).scalars().all())
    return page_of(rows, page.size, lambda r: {"id": str(r.id)})


# --- bulk upsert by external id --------------------------------------------------------------

async def bulk_upsert(session: AsyncSession, principal: Principal, resource: Resource, match_on: str,
                      items: list[dict[str, Any]]) -> BulkResult:
    """Insert new records, update changed ones, leave identical ones alone (and emit nothing for them).

    Resending the same batch changes nothing: that is what makes district IT's retries safe.
    """
    tenant_id = principal.tenant_id
    for n, item in enumerate(items):
        check_school_scope(principal, resource, item, prefix=f"items[{n}].")
    errors = bulk_key_errors([i.get(match_on) for i in items], match_on)
    errors += await _bulk_reference_errors(session, tenant_id, resource, items)
    if errors:
        raise Problem(422, "Invalid batch", f"{len(errors)} item(s) are invalid; nothing was written",
                      slug="invalid-batch", errors=errors)
    table = resource.table
    fields = sorted({k for i in items for k in i})
    now = utcnow()
    rows = [{"id": uuid.uuid4(), "tenant_id": tenant_id, "version": 1, "created_at": now, "updated_at": now,
             **{f: i.get(f) for f in fields}} for i in items]
    stmt = pg_insert(table)
    excluded = stmt.excluded
    upsert = stmt.on_conflict_do_update(
        constraint=f"uq_{table.name}__{match_on}",
        set_={**{f: excluded[f] for f in fields}, "version": table.c.version + 1, "updated_at": excluded.updated_at},
        where=tuple_(*[table.c[f] for f in fields]).is_distinct_from(tuple_(*[excluded[f] for f in fields])),
    ).returning(*table.c, literal_column("xmax = 0").label("inserted"))
    # The rows go as parameters of one statement (batched by SQLAlchemy's insertmanyvalues), so its
    # SQL is compiled once per shape, not once per batch of 1,000 literal rows.
    written = (await session.execute(upsert, rows)).all()
    by_key = {getattr(r, match_on): r for r in written}
    unchanged_keys = [i[match_on] for i in items if i[match_on] not in by_key]
    unchanged_ids: dict[str, uuid.UUID] = {}
    if unchanged_keys:
        unchanged_ids = dict((await session.execute(
            select(table.c[match_on], table.c.id).where(table.c.tenant_id == tenant_id,
                                                        table.c[match_on].in_(unchanged_keys))
        )).tuples().all())
    payloads, results = [], []
    for index, item in enumerate(items):
        key = item[match_on]
        row = by_key.get(key)
        if row is None:
            results.append(BulkItemResult(index=index, id=unchanged_ids[key], external_id=key, outcome="unchanged"))
            continue
        outcome: Literal["created", "updated"] = "created" if row.inserted else "updated"
        payloads.append(resource.registered(row) if row.inserted else resource.updated(row))
        results.append(BulkItemResult(index=index, id=row.id, external_id=key, outcome=outcome))
    await _emit(session, tenant_id, payloads)
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("created", "updated", "unchanged")}
    return BulkResult(items=results, **counts)


async def _bulk_reference_errors(session: AsyncSession, tenant_id: str, resource: Resource,
                                 items: list[dict[str, Any]]) -> list[dict[str, str]]:
    errors = []
    for field, target in resource.references.items():
        wanted = {i[field] for i in items if i.get(field) is not None}
        if not wanted:
            continue
        t: Any = target
        found = set((await session.execute(select(t.id).where(t.tenant_id == tenant_id, t.id.in_(wanted))))
                    .scalars().all())
        errors += [{"field": f"items[{n}].{field}", "message": f"no such {target.__tablename__}"}
                   for n, i in enumerate(items) if i.get(field) is not None and i[field] not in found]
    return errors


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def visible_personal_data(principal: Principal) -> bool:
    return principal.has("hr:pii") or principal.has("admin")


__all__ = ["DISTRICTS", "EDUCATORS", "SCHOOLS", "bulk_upsert", "create", "delete", "get", "list_page",
           "update"]
