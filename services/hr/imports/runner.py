"""The import job runner, in hr's worker: claims queued jobs, validates, applies, reports.

Claiming takes a session-level advisory lock on the job (on a connection of its own): while a runner works
on a job no other replica takes it, and if the process dies the lock goes with its connection. A job found
`validating` or `applying` and not locked was interrupted: its apply transaction never committed (the set
and the job's success commit together), so it runs again from the start, at most MAX_ATTEMPTS times in all,
then fails with nothing applied.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import asyncpg
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common.auth import Principal
from libs.common.db import session_factory
from libs.common.inbox import is_transient
from services.hr.imports import service
from services.hr.imports.rules import Issue, Plan, report_issues
from services.hr.models import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
ACTIVE = ("queued", "validating", "applying")
CANDIDATES = ("SELECT id FROM import_job WHERE status = ANY($1::text[]) ORDER BY created_at, id LIMIT 20")


def lock_key(job_id: uuid.UUID) -> int:
    """The job's advisory lock: 64 bits of its id."""
    return int.from_bytes(job_id.bytes[:8], "big", signed=True)


class ImportRunner:
    def __init__(self, engine: AsyncEngine, dsn: str, *, poll_seconds: float = 0.5,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        self.engine, self.dsn = engine, dsn
        self.sessions = session_factory(engine)
        self.poll_seconds, self.max_attempts = poll_seconds, max_attempts
        self._holder: asyncpg.Connection | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: a job at a time; waits and retries while the database is away."""
        delay = self.poll_seconds
        try:
            while not stop.is_set():
                try:
                    worked = await self.run_once()
                    delay = self.poll_seconds
                except Exception as exc:
                    # A job's own failure is reported on the job (in _run); what reaches here is the
                    # database or the lock connection: the runner waits, it never takes the worker down.
                    if is_transient(exc):
                        log.warning("import runner: %r; retrying", exc)
                    else:
                        log.exception("import runner failed; retrying")
                    await self._drop_holder()
                    worked, delay = False, min(delay * 2, 5.0)
                if not worked:
                    try:
                        await asyncio.wait_for(stop.wait(), delay)
                    except TimeoutError:
                        pass
        finally:
            await self._drop_holder()

    async def _drop_holder(self) -> None:
        if self._holder is not None:
            holder, self._holder = self._holder, None
            try:
                await holder.close()
            except Exception:  # already gone: its locks went with it
                holder.terminate()

    async def run_once(self) -> bool:
        """Run the next job if there is one; False when there was none."""
        if self._holder is None or self._holder.is_closed():
            self._holder = await asyncpg.connect(self.dsn)
        holder = self._holder
        for (job_id,) in await holder.fetch(CANDIDATES, list(ACTIVE)):
            key = lock_key(job_id)
            if not await holder.fetchval("SELECT pg_try_advisory_lock($1)", key):
                continue  # another runner has it
            try:
                job = await self._job(job_id)
                if job is not None and job["status"] in ACTIVE:
                    await self._run(job)
                    return True
            finally:
                await holder.fetchval("SELECT pg_advisory_unlock($1)", key)
        return False

    async def _job(self, job_id: uuid.UUID) -> Any:
        async with self.sessions() as session:
            return (await session.execute(select(service.JOBS).where(service.JOBS.c.id == job_id))
                    ).mappings().first()

    async def _set(self, job_id: uuid.UUID, **values: Any) -> None:
        async with self.sessions() as session, session.begin():
            await self._update(session, job_id, **values)

    @staticmethod
    async def _update(session: Any, job_id: uuid.UUID, **values: Any) -> None:
        await session.execute(update(service.JOBS).where(service.JOBS.c.id == job_id).values(
            **values, version=service.JOBS.c.version + 1, updated_at=utcnow()))
        if values.get("status") in ("succeeded", "failed"):
            # The file may hold students' rows: it is kept only while the job runs.
            await session.execute(update(service.UPLOADS).where(service.UPLOADS.c.job_id == job_id)
                                  .values(content=None))

    async def _run(self, job: Any) -> None:
        job_id = job["id"]
        if job["status"] != "queued" and job["attempts"] >= self.max_attempts:
            await self._fail(job_id, [], error=f"interrupted {job['attempts']} times (a restart while it ran); "
                                              "nothing of the set was applied: submit it again")
            return
        if job["status"] != "queued":
            log.info("import %s was interrupted while %s: running it again from the start", job_id, job["status"])
        await self._set(job_id, status="validating", attempts=job["attempts"] + 1, started_at=utcnow(),
                        rows_read=0, rows_failed=0, rows_written=0, rows_unchanged=0)
        try:
            await self._validate_and_apply(job)
        except Exception as exc:
            if is_transient(exc):
                raise  # the job stays as it is: the next claim runs it again
            log.exception("import %s failed", job_id)
            await self._fail(job_id, [], error=f"hr could not apply the set ({type(exc).__name__}); nothing of "
                                               "it was applied")

    async def _validate_and_apply(self, job: Any) -> None:
        job_id, tenant = job["id"], job["tenant_id"]
        async with self.sessions() as session:
            content = await session.scalar(select(service.UPLOADS.c.content)
                                           .where(service.UPLOADS.c.job_id == job_id))
            if content is None:
                await self._fail(job_id, [], error="the upload is gone")
                return
            plan, issues = await service.validate(session, tenant, job["format"], bytes(content))
        if issues:
            await self._fail(job_id, issues, plan=plan)
            return
        await self._set(job_id, status="applying", rows_read=plan.rows_read)
        principal = Principal(subject=job["submitted_by"], tenant_id=tenant, scopes=frozenset({"hr:write"}),
                              schools=None)

        async def progress(outcomes: service.Outcomes) -> None:
            await self._set(job_id, **_counts(outcomes))

        try:
            async with self.sessions() as session, session.begin():
                outcomes = await service.apply(session, principal, plan, progress)
                counts = _counts(outcomes)
                await self._update(session, job_id, status="succeeded", finished_at=utcnow(),
                                   report=_report(plan, [], outcomes=outcomes)[0], **counts)
        except service.Rejected as rejected:
            await self._fail(job_id, rejected.issues, plan=plan)
            return
        log.info("import %s succeeded: %d written, %d unchanged", job_id, counts["rows_written"],
                 counts["rows_unchanged"])

    async def _fail(self, job_id: uuid.UUID, issues: list[Issue], *, plan: Plan | None = None,
                    error: str | None = None) -> None:
        report, rows_failed = _report(plan, issues, error=error)
        # Nothing of a failed job is applied: the progress an interrupted apply showed is undone with it.
        await self._set(job_id, status="failed", finished_at=utcnow(), report=report, rows_failed=rows_failed,
                        rows_written=0, rows_unchanged=0, **({"rows_read": plan.rows_read} if plan else {}))
        log.info("import %s failed: %d issue(s)%s", job_id, report["issue_count"], f" ({error})" if error else "")


def _counts(outcomes: service.Outcomes) -> dict[str, int]:
    """The job's progress columns from the per-kind outcomes (stale rows are unchanged ones)."""
    return {"rows_written": sum(o["created"] + o["updated"] + o["removed"] for o in outcomes.values()),
            "rows_unchanged": sum(o["unchanged"] + o["stale"] for o in outcomes.values())}


def _report(plan: Plan | None, issues: list[Issue], *, outcomes: dict[str, dict[str, int]] | None = None,
            error: str | None = None) -> tuple[dict[str, Any], int]:
    """The stored report, and how many rows have an issue."""
    kept, count, rows = report_issues(issues)
    return {"issues": kept, "issue_count": count, "files": plan.files if plan else {},
            "ignored": plan.ignored if plan else 0, "outcomes": outcomes or {}, "error": error}, rows
