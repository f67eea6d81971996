"""Problems of practice: posed by a school (draft), made active only when the five criteria are
argued, resolved or retired; their aim and driver diagram; the visits that examined them.

A problem of practice is visible to its network: a token limited to some schools reads it when one of them
is the host school or one of the network's schools; only the host school changes it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.pagination import PageRequest
from libs.common.problems import Problem, field_error, not_found
from libs.common.repository import check_version, get_or_404, require_known
from libs.contracts.networks import ProblemOfPracticePosed, ProblemOfPracticeResolved
from services.networks.common import (
    bump,
    emit,
    may_see,
    network_school_clause,
    network_schools,
    new_id,
    page_rows,
    school_row_or_404,
    visible_networks,
    visible_schools,
)
from services.networks.models import problem_visits, problems_of_practice
from services.networks.problems.criteria import Check, Status, may_move, unmet
from services.networks.problems.schemas import (
    ChangeIdeaCreate,
    ChangeIdeaPublic,
    DriverDiagramIn,
    ProblemCreate,
    ProblemPublic,
    ProblemUpdate,
)

TABLE = problems_of_practice


def _checks(criteria: dict[str, Any]) -> dict[str, Check]:
    return {k: Check(bool(v.get("met")), v.get("rationale")) for k, v in criteria.items()}


async def public(session: AsyncSession, row: Any) -> ProblemPublic:
    visits = list((await session.execute(select(problem_visits.c.visit_id).where(
        problem_visits.c.tenant_id == row["tenant_id"], problem_visits.c.problem_of_practice_id == row["id"])
        .order_by(problem_visits.c.visit_date, problem_visits.c.visit_id))).scalars())
    missing = unmet(_checks(row["criteria"]))
    return ProblemPublic(
        id=row["id"], school_id=row["school_id"], network_id=row["network_id"], statement=row["statement"],
        evidence=row["evidence"], theory_of_action=row["theory_of_action"],
        focusing_questions=row["focusing_questions"], criteria=row["criteria"], unmet_criteria=missing,
        meets_all_criteria=not missing, status=row["status"], aim=row["aim"], driver_diagram=row["driver_diagram"],
        visit_ids=visits, version=row["version"])


async def pose(session: AsyncSession, principal: Principal, body: ProblemCreate) -> uuid.UUID:
    tenant = principal.tenant_id
    await require_known(session, tenant, visible_schools(principal, "school_id", body.school_id),
                        visible_networks(principal, "network_id", body.network_id))
    if body.network_id is not None and body.school_id not in await network_schools(session, tenant, body.network_id):
        raise field_error("school_id", "not one of the network's schools", slug="school-outside-network",
                          title="School outside the network")
    problem_id = new_id()
    await session.execute(insert(TABLE).values(
        id=problem_id, tenant_id=tenant, school_id=body.school_id, network_id=body.network_id,
        statement=body.statement, evidence=body.evidence, theory_of_action=body.theory_of_action,
        focusing_questions=list(body.focusing_questions), criteria=body.criteria.model_dump(),
        status=Status.draft.value, version=1))
    await emit(session, tenant, ProblemOfPracticePosed(problem_of_practice_id=problem_id, school_id=body.school_id,
                                                       network_id=body.network_id, status="draft", version=1))
    return problem_id


async def revise(session: AsyncSession, principal: Principal, problem_id: uuid.UUID, expected: int | None,
                 body: ProblemUpdate) -> None:
    row = await school_row_or_404(session, principal, TABLE, problem_id, label="problem of practice",
                                  for_update=True)
    check_version(row["version"], expected)
    if row["status"] in (Status.resolved, Status.retired):
        raise Problem(409, "Closed", f"a {row['status']} problem of practice cannot change", slug="problem-closed")
    values = body.model_dump(exclude_none=True)
    if row["status"] == Status.active and body.criteria is not None:
        left = unmet(_checks(body.criteria.model_dump()))
        if left:
            raise _criteria_problem(left)
    await bump(session, TABLE, problem_id, principal, updated_at=func.now(), **values)


def _criteria_problem(left: list[str]) -> Problem:
    return Problem(409, "Criteria not met", "an active problem of practice meets all five criteria; argue: "
                   + ", ".join(left), slug="criteria-not-met",
                   errors=[{"field": f"criteria.{c}", "message": "not met, or met without a rationale"}
                           for c in left])


async def transition(session: AsyncSession, principal: Principal, problem_id: uuid.UUID, expected: int | None,
                     to: Status) -> None:
    tenant = principal.tenant_id
    row = await school_row_or_404(session, principal, TABLE, problem_id, label="problem of practice",
                                  for_update=True)
    check_version(row["version"], expected)
    current = Status(row["status"])
    if not may_move(current, to):
        raise Problem(409, "Illegal transition", f"a {current} problem of practice cannot become {to}",
                      slug="illegal-transition", errors=[{"field": "to", "message": f"not allowed from {current}"}])
    if to == Status.active and (left := unmet(_checks(row["criteria"]))):
        raise _criteria_problem(left)
    version = await bump(session, TABLE, problem_id, principal, status=to.value, updated_at=func.now())
    if to in (Status.resolved, Status.retired):
        await emit(session, tenant, ProblemOfPracticeResolved(problem_of_practice_id=problem_id,
                                                              school_id=row["school_id"], status=to.value,
                                                              version=version))
    else:
        await emit(session, tenant, ProblemOfPracticePosed(problem_of_practice_id=problem_id,
                                                           school_id=row["school_id"],
                                                           network_id=row["network_id"], status=to.value,
                                                           version=version))


def _diagram(body: DriverDiagramIn) -> dict[str, Any]:
    """The diagram as stored: every change idea with an id (kept if given, so its cycles stay linked)."""
    diagram = body.model_dump(mode="json", exclude={"aim"})
    for primary in diagram["primary_drivers"]:
        for secondary in primary["secondary_drivers"]:
            for idea in secondary["change_ideas"]:
                idea["id"] = idea["id"] or str(new_id())
    return diagram


async def set_driver_diagram(session: AsyncSession, principal: Principal, problem_id: uuid.UUID,
                             expected: int | None, body: DriverDiagramIn) -> None:
    row = await school_row_or_404(session, principal, TABLE, problem_id, label="problem of practice",
                                  for_update=True)
    check_version(row["version"], expected)
    if row["status"] in (Status.resolved, Status.retired):
        raise Problem(409, "Closed", f"a {row['status']} problem of practice cannot change", slug="problem-closed")
    await bump(session, TABLE, problem_id, principal, aim=body.aim.model_dump(mode="json"),
               driver_diagram=_diagram(body), updated_at=func.now())


async def add_change_idea(session: AsyncSession, principal: Principal, problem_id: uuid.UUID,
                          body: ChangeIdeaCreate) -> ChangeIdeaPublic:
    """Append a change idea to the diagram, under drivers found by their text (or added)."""
    row = await school_row_or_404(session, principal, TABLE, problem_id, label="problem of practice",
                                  for_update=True)
    if row["status"] in (Status.resolved, Status.retired):
        raise Problem(409, "Closed", f"a {row['status']} problem of practice cannot change", slug="problem-closed")
    diagram = dict(row["driver_diagram"] or {"primary_drivers": []})
    primary = next((p for p in diagram["primary_drivers"] if p["text"] == body.primary_driver), None)
    if primary is None:
        primary = {"text": body.primary_driver, "measure": body.measure, "secondary_drivers": []}
        diagram["primary_drivers"].append(primary)
    secondary = next((s for s in primary["secondary_drivers"] if s["text"] == body.secondary_driver), None)
    if secondary is None:
        secondary = {"text": body.secondary_driver, "measure": body.measure, "change_ideas": []}
        primary["secondary_drivers"].append(secondary)
    idea_id = new_id()
    secondary["change_ideas"].append({"id": str(idea_id), "text": body.text, "measure": body.measure})
    await bump(session, TABLE, problem_id, principal, driver_diagram=diagram, updated_at=func.now())
    return ChangeIdeaPublic(id=idea_id, problem_of_practice_id=problem_id, primary_driver=body.primary_driver,
                            secondary_driver=body.secondary_driver, text=body.text, measure=body.measure)


def change_idea_ids(driver_diagram: dict[str, Any] | None) -> set[str]:
    if not driver_diagram:
        return set()
    return {idea["id"] for p in driver_diagram["primary_drivers"] for s in p["secondary_drivers"]
            for idea in s["change_ideas"]}


async def readable_row(session: AsyncSession, principal: Principal, problem_id: uuid.UUID) -> Any:
    """The problem of practice if the token may read it (its school's or its network's), else not found."""
    row = await get_or_404(session, TABLE, problem_id, principal.tenant_id, label="problem of practice")
    if not may_see(principal, row["school_id"]) and not may_see(
            principal, *await network_schools(session, principal.tenant_id, row["network_id"])):
        raise not_found("problem of practice")
    return row


async def get(session: AsyncSession, principal: Principal, problem_id: uuid.UUID) -> ProblemPublic:
    return await public(session, await readable_row(session, principal, problem_id))


async def list_problems(session: AsyncSession, principal: Principal, page: PageRequest,
                        network_id: uuid.UUID | None, school_id: uuid.UUID | None) -> list[ProblemPublic]:
    stmt = select(TABLE).where(TABLE.c.tenant_id == principal.tenant_id,
                               *network_school_clause(principal, TABLE.c.school_id, TABLE.c.network_id))
    if network_id:
        stmt = stmt.where(TABLE.c.network_id == network_id)
    if school_id:
        stmt = stmt.where(TABLE.c.school_id == school_id)
    return [await public(session, r) for r in await page_rows(session, stmt, TABLE.c.id, page)]
