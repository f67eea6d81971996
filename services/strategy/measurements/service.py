"""Measurements per school: bulk loads by district IT (idempotent by school, measure and period) and
the practice-quality index from observations' events. Every change re-reads what depends on it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow
from libs.common.pagination import PageRequest
from libs.common.problems import Problem, validation_errors
from libs.common.repository import unknown_references
from services.strategy import common
from services.strategy.measurements.schemas import (
    BatchItemResult,
    BatchResult,
    MeasurementBatch,
    MeasurementIn,
    MeasurementPublic,
)
from services.strategy.models import Measurement

M = Measurement.__table__  # type: ignore[attr-defined]

# Inserted, changed, or left alone when identical (no new row version, no recomputation).
UPSERT = text(
    "INSERT INTO measurements (tenant_id, school_id, measure, period, value, source, external_id, updated_at) "
    "VALUES (:tenant_id, :school_id, :measure, :period, :value, :source, :external_id, now()) "
    "ON CONFLICT (tenant_id, school_id, measure, period) DO UPDATE SET value = EXCLUDED.value, "
    "source = EXCLUDED.source, external_id = EXCLUDED.external_id, updated_at = now() "
    "WHERE (measurements.value, measurements.external_id) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.external_id) "
    "RETURNING (xmax = 0) AS inserted")


def duplicate_errors(rows: Sequence[tuple[int, MeasurementIn]]) -> list[dict[str, str]]:
    """Each (school, measure, period) and each external id once per batch (rows: index, item)."""
    errors: list[dict[str, str]] = []
    keys: dict[tuple[Any, ...], int] = {}
    ids: dict[str, int] = {}
    for n, item in rows:
        key = (item.school_id, item.measure, item.period)
        if key in keys:
            errors.append({"field": f"items[{n}].period",
                           "message": f"same school, measure and period as items[{keys[key]}]"})
        keys.setdefault(key, n)
        if item.external_id in ids:
            errors.append({"field": f"items[{n}].external_id",
                           "message": f"also used by items[{ids[item.external_id]}]"})
        ids.setdefault(item.external_id, n)
    return errors


def _row_of(error: dict[str, Any]) -> tuple[int, str]:
    field = str(error["field"])
    return int(field.split("[")[1].split("]")[0]), field


async def load(session: AsyncSession, principal: Principal, batch: MeasurementBatch) -> BatchResult:
    """All rows or none: every bad row's index and field in one 422, whether a row is refused by its own
    fields (a value that is no number) or by the tenant (a school hr does not know there)."""
    tenant = principal.tenant_id
    rows = batch.rows()
    errors: list[dict[str, Any]] = [{k: e[k] for k in ("field", "message", "type")}
                                    for e in validation_errors([{**r, "loc": ("body", *r["loc"])}
                                                                for r in batch.rejected])]
    errors += duplicate_errors(rows)
    schools = {n: item.school_id for n, item in rows} | batch.rejected_schools
    for n, school in sorted(schools.items()):
        if not principal.may_see_school(school):
            errors.append({"field": f"items[{n}].school_id", "message": "outside your schools"})
    every_school = replace(common.school("items", None),  # one query for the batch's schools
                           ids={f"items[{n}].school_id": school for n, school in sorted(schools.items())})
    missing = await unknown_references(session, tenant, [every_school])
    errors += [{"field": f, "message": f"no such {label}"} for f, label in missing]
    if errors:
        errors.sort(key=_row_of)
        raise Problem(422, "Invalid batch", f"{len(errors)} problem(s) in the batch; nothing was written",
                      slug="invalid-batch", errors=errors)
    results, changed = [], set()
    for n, item in rows:
        row = (await session.execute(UPSERT, {"tenant_id": tenant, "source": "bulk", **item.model_dump()})).first()
        outcome: Literal["created", "updated", "unchanged"] = (
            "unchanged" if row is None else ("created" if row[0] else "updated"))
        if row is not None:
            changed.add((item.school_id, item.measure))
        results.append(BatchItemResult(index=n, external_id=item.external_id, outcome=outcome))
    await changed_series(session, tenant, changed)
    counts = {o: sum(r.outcome == o for r in results) for o in ("created", "updated", "unchanged")}
    return BatchResult(items=results, **counts)


async def record(session: AsyncSession, tenant: str, school: uuid.UUID, values: dict[str, float],
                 period: str, source: str) -> None:
    """Values of several measures for one school and period (from an event); recompute what changed."""
    changed = set()
    for measure, value in values.items():
        row = (await session.execute(UPSERT, {"tenant_id": tenant, "school_id": school, "measure": measure,
                                              "period": period, "value": value, "source": source,
                                              "external_id": None})).first()
        if row is not None:
            changed.add((school, measure))
    await changed_series(session, tenant, changed)


async def changed_series(session: AsyncSession, tenant: str, changed: set[tuple[uuid.UUID, str]]) -> None:
    """Signals, goals and verdicts that read the changed series, in the same transaction."""
    from services.strategy.goals.service import refresh_for
    from services.strategy.plans.service import recompute_for_measures
    from services.strategy.trajectories.service import announce_signals

    for school, measure in sorted(changed, key=lambda p: (str(p[0]), p[1])):
        await announce_signals(session, tenant, school, measure)
    await refresh_for(session, tenant, changed)
    await recompute_for_measures(session, tenant, {m for _, m in changed})


async def list_measurements(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow,
                            filters: dict[str, Any]) -> tuple[list[MeasurementPublic], str | None]:
    """A school-limited client sees its schools' measurements, as their series."""
    where = [] if (schools := common.reachable_schools(principal)) is None else [M.c.school_id.in_(schools)]
    rows, token = await common.listing(session, principal, M, page, changes, filters, where)
    return [MeasurementPublic(**{k: r[k] for k in MeasurementPublic.model_fields}) for r in rows], token
