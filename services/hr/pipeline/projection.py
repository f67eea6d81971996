"""The analytics projection: one row per tenant, rebuilt from the history only after a change.

A read serves the stored snapshot while it is current: no domain event in hr's outbox after the one it
saw, and not marked stale by a change that publishes no event (a readiness estimate, a post). Otherwise
the read rebuilds it with a handful of aggregate queries and stores it. Every figure comes from the
tables the history keeps (educators' stage and its date, transitions, mentorships, readiness, posts).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.hr.models import LeadershipPost, PipelineSnapshot, utcnow
from services.hr.pipeline import rules
from services.hr.pipeline.schemas import PipelineAnalytics, PostBench

SNAPSHOTS = PipelineSnapshot.__table__  # type: ignore[attr-defined]
POSTS = LeadershipPost.__table__  # type: ignore[attr-defined]

# Fixed statements: compiled once. The outbox's newest domain event walks the primary key backwards.
LAST_EVENT = text("SELECT seq FROM outbox WHERE topic <> 'platform.audit' ORDER BY seq DESC LIMIT 1")
SNAPSHOT = text("SELECT as_of_seq, stale, body::text AS body FROM pipeline_snapshot WHERE tenant_id = :t")
STAGES = text("""
    SELECT coalesce(stage, career_stage) AS stage, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY (:today - coalesce(stage_since, created_at::date))) AS median
    FROM educator WHERE tenant_id = :t GROUP BY 1""")
COVERAGE = text("""
    SELECT e.school_id, count(*) AS novices, count(m.mentee_id) AS mentored
    FROM educator e
    LEFT JOIN (SELECT DISTINCT mentee_id FROM mentorship WHERE tenant_id = :t AND ends_on IS NULL) m
           ON m.mentee_id = e.id
    WHERE e.tenant_id = :t AND e.career_stage = 'novice_teacher' GROUP BY e.school_id""")
READY = text("""
    SELECT r.educator_id, e.school_id, r.target_stage, r.estimate
    FROM readiness r JOIN educator e ON e.id = r.educator_id
    WHERE r.tenant_id = :t AND r.estimate = 'ready_now'""")
MOVED_OUT = text("""
    SELECT from_stage, count(*) AS n FROM stage_transition
    WHERE tenant_id = :t AND transitioned_on > :since AND from_stage IS NOT NULL
      AND to_stage IS DISTINCT FROM from_stage
    GROUP BY from_stage""")
POST_ROWS = text("SELECT id, school_id, stage, title, incumbent_id FROM leadership_post WHERE tenant_id = :t")


async def changed(session: AsyncSession, tenant_id: str) -> None:
    """A change that publishes no event but moves a figure: the next read rebuilds."""
    await session.execute(update(SNAPSHOTS).where(SNAPSHOTS.c.tenant_id == tenant_id, SNAPSHOTS.c.stale.is_(False))
                          .values(stale=True))


async def analytics(session: AsyncSession, tenant_id: str) -> str:
    """The figures as JSON text: the stored snapshot as it is (no parse, no re-serialisation), or rebuilt."""
    last = int((await session.execute(LAST_EVENT)).scalar() or 0)
    row = (await session.execute(SNAPSHOT, {"t": tenant_id})).first()
    if row is not None and not row.stale and row.as_of_seq >= last:
        return str(row.body)
    body = await rebuild(session, tenant_id)
    values = {"tenant_id": tenant_id, "as_of_seq": last, "stale": False, "body": body.model_dump(mode="json"),
              "computed_at": body.computed_at}
    stmt = pg_insert(SNAPSHOTS).values(**values)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[SNAPSHOTS.c.tenant_id],
        set_={k: stmt.excluded[k] for k in ("as_of_seq", "stale", "body", "computed_at")}))
    return body.model_dump_json()


async def rebuild(session: AsyncSession, tenant_id: str) -> PipelineAnalytics:
    now = utcnow()
    today = now.date()
    p: dict[str, Any] = {"t": tenant_id}
    stages = (await session.execute(STAGES, {**p, "today": today})).all()
    counts = {r.stage: int(r.n) for r in stages}
    coverage = rules.coverage_by_school((r.school_id, int(r.novices), int(r.mentored))
                                        for r in (await session.execute(COVERAGE, p)).all())
    post_rows = (await session.execute(POST_ROWS, p)).all()
    posts = [rules.Post(r.id, r.school_id, r.stage, r.incumbent_id) for r in post_rows]
    candidates = [rules.Candidate(r.educator_id, r.school_id, r.target_stage, r.estimate)
                  for r in (await session.execute(READY, p)).all()]
    bench = rules.bench_strength(posts, candidates)
    moved = {r.from_stage: int(r.n) for r in
             (await session.execute(MOVED_OUT, {**p, "since": today - timedelta(days=365)})).all()}
    return PipelineAnalytics(
        computed_at=now, educators=sum(counts.values()), counts_per_stage=counts,
        median_days_in_stage={r.stage: float(r.median) for r in stages},
        mentoring_coverage=coverage,
        bench_strength=[PostBench(post_id=r.id, school_id=r.school_id, stage=r.stage, title=r.title,
                                  ready_now=bench[r.id]) for r in post_rows],
        bench_by_school=rules.bench_by_school(posts, bench),
        succession_risk=rules.succession_risk(posts, bench),
        vacancy_forecast=rules.vacancy_forecast(posts, rules.exit_rates(moved, counts)),
    )
