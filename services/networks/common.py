"""What every aggregate of networks shares: ids, the reference checks of the tenant, version bumps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, Table, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest
from libs.common.problems import not_found
from libs.common.repository import Reference, get_or_404, reference
from libs.contracts.base import EventPayload
from services.networks.models import DIRECTORY, meetings, networks, practices, problems_of_practice
from services.networks.settings import SERVICE


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def known_networks(field: str, values: Any) -> Reference:
    return reference(networks, "network", field, values)


def known_problems(field: str, values: Any) -> Reference:
    return reference(problems_of_practice, "problem of practice", field, values)


def known_meetings(field: str, values: Any) -> Reference:
    return reference(meetings, "meeting", field, values)


def known_practices(field: str, values: Any) -> Reference:
    return reference(practices, "practice", field, values)


async def emit(session: AsyncSession, tenant_id: str, *payloads: EventPayload) -> None:
    """The events of a change, in the change's own transaction (the outbox)."""
    await record_events(session, list(payloads), service=SERVICE, tenant_id=tenant_id)


async def bump(session: AsyncSession, table: Table, object_id: uuid.UUID, principal: Principal,
               **values: Any) -> int:
    """Write `values` and the next version; returns the new version (the caller holds the row lock)."""
    stmt = (update(table).where(table.c.id == object_id, table.c.tenant_id == principal.tenant_id)
            .values(version=table.c.version + 1, **values).returning(table.c.version))
    return int((await session.execute(stmt)).scalar_one())


async def page_rows(session: AsyncSession, stmt: Select[Any], id_column: ColumnElement[uuid.UUID],
                    page: PageRequest) -> Sequence[RowMapping]:
    """One page of `stmt` in id order after the page token (and its total, when the caller asked)."""
    await page.count_total(session, stmt)
    if (last := cursor_id(page.after)) is not None:
        stmt = stmt.where(id_column > last)
    return (await session.execute(stmt.order_by(id_column).limit(page.size + 1))).mappings().all()


def cursor_id(after: dict[str, Any] | None) -> uuid.UUID | None:
    """The last id of the previous page, from a page token this API issued (400 otherwise)."""
    if not after:
        return None
    try:
        return uuid.UUID(str(after.get("id")))
    except ValueError:
        from libs.common.problems import field_error
        raise field_error("page_token", "not a page token this API issued", status=400) from None


# --- what a school-limited token may see: only objects of its schools ---

def limited_to(principal: Principal) -> set[uuid.UUID] | None:
    """The schools a token is limited to (None: the whole tenant)."""
    if principal.schools is None:
        return None
    out = set()
    for s in principal.schools:
        try:
            out.add(uuid.UUID(s))
        except ValueError:
            continue
    return out


def visible_schools(principal: Principal, field: str, values: Any) -> Reference:
    """Schools of hr's directory in the tenant, and among the token's schools when it is limited."""
    schools = DIRECTORY.schools
    where = [schools.c.removed.is_(False)]
    if (mine := limited_to(principal)) is not None:
        where.append(schools.c.school_id.in_(mine))
    return reference(schools, "school", field, values, id_column="school_id", where=where)


def visible_educators(principal: Principal, field: str, values: Any) -> Reference:
    """Educators of hr's directory in the tenant, and of the token's schools when it is limited."""
    educators = DIRECTORY.educators
    where = [educators.c.removed.is_(False)]
    if (mine := limited_to(principal)) is not None:
        where.append(educators.c.school_id.in_(mine))
    return reference(educators, "educator", field, values, id_column="educator_id", where=where)


def may_see(principal: Principal, *school_ids: Any) -> bool:
    """A row tied to these schools: visible to the whole tenant, or to a token limited to one of them."""
    mine = limited_to(principal)
    return mine is None or any(s in mine for s in school_ids)


def school_clause(principal: Principal, column: Any) -> list[Any]:
    """WHERE conditions keeping a list to the token's schools (none when it is not limited)."""
    mine = limited_to(principal)
    return [] if mine is None else [column.in_(mine)]


def network_clause(principal: Principal) -> list[Any]:
    mine = limited_to(principal)
    return [] if mine is None else [networks.c.school_ids.overlap(list(mine))]


def visible_networks(principal: Principal, field: str, values: Any) -> Reference:
    return reference(networks, "network", field, values, where=network_clause(principal))


def member_networks(tenant_id: str, schools: set[uuid.UUID]) -> Select[Any]:
    """The ids of the tenant's networks that have one of these schools among theirs."""
    return select(networks.c.id).where(networks.c.tenant_id == tenant_id, networks.c.school_ids.overlap(list(schools)))


def network_school_clause(principal: Principal, school_column: Any, network_column: Any) -> list[Any]:
    """WHERE conditions keeping a list to rows of the token's schools or of a network one of its schools is
    in (none when the token is not limited): what `may_see(principal, school, *network_schools)` decides."""
    mine = limited_to(principal)
    if mine is None:
        return []
    return [or_(school_column.in_(mine), network_column.in_(member_networks(principal.tenant_id, mine)))]


async def network_schools(session: AsyncSession, tenant_id: str, network_id: uuid.UUID | None) -> list[uuid.UUID]:
    """A network's schools (none when there is no such network in the tenant)."""
    if network_id is None:
        return []
    found = (await session.execute(select(networks.c.school_ids).where(
        networks.c.id == network_id, networks.c.tenant_id == tenant_id))).scalar_one_or_none()
    return list(found or [])


def visible_problems(principal: Principal, field: str, values: Any) -> Reference:
    """Problems of practice the token may read: of its schools, or of a network one of its schools is in."""
    return reference(problems_of_practice, "problem of practice", field, values,
                     where=network_school_clause(principal, problems_of_practice.c.school_id,
                                                 problems_of_practice.c.network_id))


async def network_or_404(session: AsyncSession, principal: Principal, network_id: uuid.UUID, *,
                         for_update: bool = False) -> Any:
    row = await get_or_404(session, networks, network_id, principal.tenant_id, label="network",
                           for_update=for_update)
    if not may_see(principal, *row["school_ids"]):
        raise not_found("network")
    return row


async def school_row_or_404(session: AsyncSession, principal: Principal, table: Table, object_id: uuid.UUID, *,
                            label: str, column: str = "school_id", for_update: bool = False) -> Any:
    """A row of the tenant tied to one school, 404 unless the token may see that school."""
    row = await get_or_404(session, table, object_id, principal.tenant_id, label=label, for_update=for_update)
    if not may_see(principal, row[column]):
        raise not_found(label)
    return row


async def network_visible(session: AsyncSession, principal: Principal, network_id: uuid.UUID) -> bool:
    school_ids = (await session.execute(select(networks.c.school_ids).where(
        networks.c.id == network_id, networks.c.tenant_id == principal.tenant_id))).scalar_one_or_none()
    return school_ids is not None and may_see(principal, *school_ids)
