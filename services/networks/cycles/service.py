"""PDSA cycles: plan (questions, each with a prediction), do, study (refused without predictions to
compare with), act (adopt, adapt, abandon). Study and act emit `cycle.studied` for strategy's run charts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem, field_error
from libs.common.repository import check_version, get_or_404, require_known
from libs.contracts.networks import CycleStudied
from services.networks.common import (
    bump,
    emit,
    new_id,
    school_clause,
    school_row_or_404,
    visible_problems,
    visible_schools,
)
from services.networks.cycles.pdsa import Stage, may_enter, missing_predictions
from services.networks.cycles.schemas import ActStep, CycleCreate, CyclePublic, DoStep, StudyStep
from services.networks.models import cycles, problems_of_practice
from services.networks.problems.service import change_idea_ids, readable_row

TABLE = cycles


def public(row: Any) -> CyclePublic:
    return CyclePublic.model_validate(dict(row))


async def plan(session: AsyncSession, principal: Principal, body: CycleCreate) -> CyclePublic:
    tenant = principal.tenant_id
    await require_known(session, tenant, visible_problems(principal, "problem_of_practice_id",
                                                         body.problem_of_practice_id),
                        visible_schools(principal, "school_id", body.school_id))
    problem = await get_or_404(session, problems_of_practice, body.problem_of_practice_id, tenant,
                               label="problem of practice")
    if str(body.change_idea_id) not in change_idea_ids(problem["driver_diagram"]):
        raise field_error("change_idea_id", "not a change idea of the problem of practice's driver diagram",
                          slug="invalid-reference", title="Invalid reference")
    row = (await session.execute(insert(TABLE).values(
        id=new_id(), tenant_id=tenant, problem_of_practice_id=body.problem_of_practice_id,
        change_idea_id=body.change_idea_id, school_id=body.school_id,
        plan={"questions": [q.model_dump() for q in body.questions], "plan": body.plan},
        stage=Stage.plan.value, version=1).returning(*TABLE.c))).mappings().one()
    return public(row)


async def _locked(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, expected: int | None,
                  to: Stage) -> Any:
    row = await school_row_or_404(session, principal, TABLE, cycle_id, label="cycle", for_update=True)
    check_version(row["version"], expected)
    if not may_enter(Stage(row["stage"]), to):
        raise Problem(409, "Out of order", f"a cycle at {row['stage']} cannot move to {to}",
                      slug="illegal-transition", errors=[{"field": "stage", "message": f"now {row['stage']}"}])
    return row


async def do(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, expected: int | None,
             body: DoStep) -> CyclePublic:
    await _locked(session, principal, cycle_id, expected, Stage.do)
    await bump(session, TABLE, cycle_id, principal, do=body.model_dump(), stage=Stage.do.value)
    return await get(session, principal, cycle_id)


async def study(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, expected: int | None,
                body: StudyStep) -> CyclePublic:
    row = await _locked(session, principal, cycle_id, expected, Stage.study)
    questions = row["plan"]["questions"]
    if missing := missing_predictions(questions):
        raise Problem(422, "No prediction to compare", "a study compares results with predictions; the plan has "
                      "none for question(s) " + ", ".join(str(n) for n in missing), slug="prediction-missing",
                      errors=[{"field": f"plan.questions[{n}].prediction", "message": "missing"} for n in missing])
    comparisons = []
    for n, r in enumerate(body.results):
        if r.question_index >= len(questions):
            raise field_error(f"results[{n}].question_index", "no such question in the plan")
        q = questions[r.question_index]
        comparisons.append({"question": q["question"], "prediction": q["prediction"], "result": r.result})
    await bump(session, TABLE, cycle_id, principal, stage=Stage.study.value,
               study={"studied_on": body.studied_on.isoformat(), "comparisons": comparisons})
    await _announce(session, principal, row, body.studied_on.isoformat(), None)
    return await get(session, principal, cycle_id)


async def act(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, expected: int | None,
              body: ActStep) -> CyclePublic:
    row = await _locked(session, principal, cycle_id, expected, Stage.act)
    await bump(session, TABLE, cycle_id, principal, stage=Stage.act.value, decision=body.decision.value,
               acted_on=body.acted_on, act_notes=body.notes)
    await _announce(session, principal, row, row["study"]["studied_on"], body.decision.value)
    return await get(session, principal, cycle_id)


async def _announce(session: AsyncSession, principal: Principal, row: Any, studied_on: str,
                    decision: str | None) -> None:
    from datetime import date
    await emit(session, principal.tenant_id, CycleStudied(
        cycle_id=row["id"], change_idea_id=row["change_idea_id"], problem_of_practice_id=row["problem_of_practice_id"],
        school_id=row["school_id"], studied_on=date.fromisoformat(studied_on), decision=decision))


async def get(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID) -> CyclePublic:
    return public(await school_row_or_404(session, principal, TABLE, cycle_id, label="cycle"))


async def of_problem(session: AsyncSession, principal: Principal, problem_id: uuid.UUID) -> list[CyclePublic]:
    """The cycles of a problem of practice the token may read (its network's too), of the token's schools."""
    await readable_row(session, principal, problem_id)
    rows = await session.execute(select(TABLE).where(TABLE.c.tenant_id == principal.tenant_id,
                                                     *school_clause(principal, TABLE.c.school_id),
                                                     TABLE.c.problem_of_practice_id == problem_id)
                                 .order_by(TABLE.c.created_at, TABLE.c.id))
    return [public(r) for r in rows.mappings()]
