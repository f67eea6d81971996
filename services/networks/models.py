"""networks's tables: networks and their norms, memberships, problems of practice (with their aim and
driver diagram), meetings, the practice library and adoptions, commitments, PDSA cycles, the
collaboration graph's interactions and its measures (a projection); plus its replica of hr's directory and
the change queries' tombstones (networks, memberships and practices carry a change_version).

Every table carries `tenant_id`; every read and write filters on it (the published practice library is
the one deliberate exception, see practices/service.py).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from libs.common.changes import change_tables
from libs.directory import directory_tables


class NetworksTable(SQLModel, registry=registry()):
    """Base of networks's tables: a metadata of its own, apart from the other services'."""


metadata = NetworksTable.metadata
DIRECTORY = directory_tables(NetworksTable.metadata)
CHANGES = change_tables(metadata)  # the change queries' tombstones and horizon


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _updated() -> Column:  # type: ignore[type-arg]
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _change_version() -> Column:  # type: ignore[type-arg]
    """Numbered by the worker's sequencer once the change is committed (libs/common/changes.py)."""
    return Column("change_version", BigInteger)


networks = Table(
    "networks", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),  # teachers, principals, superintendents, mixed
    Column("focus", Text, nullable=False),
    Column("school_ids", ARRAY(Uuid), nullable=False),
    Column("district_ids", ARRAY(Uuid), nullable=False),
    Column("cadence", Text, nullable=False),
    Column("version", Integer, nullable=False),
    _created(),
    _updated(),
    _change_version(),
    Index("ix_networks__tenant", "tenant_id"),
    Index("ix_networks__change_version", "tenant_id", "change_version"),
)

# Norms are versioned: a meeting records the version it revisited; an old version never changes.
network_norms = Table(
    "network_norms", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("network_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("norms", JSONB, nullable=False),  # [str]
    _created(),
    PrimaryKeyConstraint("network_id", "number"),
)

memberships = Table(
    "memberships", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("network_id", Uuid, nullable=False),
    Column("educator_id", Uuid, nullable=False),
    Column("school_id", Uuid, nullable=False),
    Column("role", Text, nullable=False),  # member, facilitator, apprentice_facilitator, coordinator
    Column("tags", ARRAY(Text), nullable=False),  # the member's expertise, matched against agendas
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("version", Integer, nullable=False),
    _created(),
    _change_version(),
    Index("ix_memberships__network", "tenant_id", "network_id"),
    Index("ix_memberships__change_version", "tenant_id", "change_version"),
)

problems_of_practice = Table(
    "problems_of_practice", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("school_id", Uuid, nullable=False),
    Column("network_id", Uuid),
    Column("statement", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("theory_of_action", Text, nullable=False),
    Column("focusing_questions", JSONB, nullable=False),  # [str]
    Column("criteria", JSONB, nullable=False),  # {criterion: {met, rationale}}
    Column("status", Text, nullable=False),  # draft, active, resolved, retired
    Column("aim", JSONB),  # {what, for_whom, how_much, by_when}
    Column("driver_diagram", JSONB),  # {primary: [{id, text, measure, secondary: [{..., change_ideas}]}]}
    Column("version", Integer, nullable=False),
    _created(),
    _updated(),
    Index("ix_problems_of_practice__tenant", "tenant_id", "school_id"),
)

# The visits (in observations) that examined a problem of practice, learnt from observations' events.
problem_visits = Table(
    "problem_visits", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("problem_of_practice_id", Uuid, nullable=False),
    Column("visit_id", Uuid, nullable=False),
    Column("visit_date", Date),
    PrimaryKeyConstraint("tenant_id", "problem_of_practice_id", "visit_id"),
)

meetings = Table(
    "meetings", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("network_id", Uuid, nullable=False),
    Column("meeting_date", Date, nullable=False),
    Column("meeting_type", Text, nullable=False),  # rounds_visit, learning_session
    Column("host_school_id", Uuid),
    Column("problem_of_practice_id", Uuid),
    Column("agenda", JSONB, nullable=False),  # [{title, tags}]
    Column("attendee_ids", ARRAY(Uuid), nullable=False),
    Column("chair_id", Uuid, nullable=False),
    Column("chair_reason", Text, nullable=False),  # expertise, rotation, position
    Column("norms_version", Integer),
    Column("version", Integer, nullable=False),
    _created(),
    Index("ix_meetings__network", "tenant_id", "network_id", "meeting_date"),
)

practices = Table(
    "practices", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("network_id", Uuid),
    Column("origin_school_id", Uuid, nullable=False),
    Column("contributor_ids", ARRAY(Uuid), nullable=False),  # never shown outside the tenant
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("evidence", JSONB, nullable=False),  # {visit_ids, record_ids}: de-identified references
    Column("stage", Text, nullable=False),
    Column("tags", ARRAY(Text), nullable=False),
    Column("visibility", Text, nullable=False),  # network, tenant, published
    Column("published_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    _created(),
    _change_version(),
    Index("ix_practices__tenant", "tenant_id"),
    Index("ix_practices__published", "visibility", "published_at"),
    Index("ix_practices__change_version", "tenant_id", "change_version"),
)

# An adoption belongs to the adopting school's tenant; `practice_tenant_id` says whose practice it was.
adoptions = Table(
    "adoptions", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("practice_id", Uuid, nullable=False),
    Column("practice_tenant_id", Text, nullable=False),
    Column("school_id", Uuid, nullable=False),
    Column("network_id", Uuid),
    Column("adopted_on", Date, nullable=False),
    Column("outcome_notes", Text, nullable=False),
    _created(),
    UniqueConstraint("tenant_id", "practice_id", "school_id", name="uq_adoptions__school_id"),
    Index("ix_adoptions__practice", "practice_id"),
)

commitments = Table(
    "commitments", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("network_id", Uuid),
    Column("meeting_id", Uuid),
    Column("school_id", Uuid, nullable=False),
    Column("educator_id", Uuid),
    Column("description", Text, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("horizon", Text),  # next_week, next_month, end_of_year (from a debrief)
    Column("level", Text),  # teacher, school, system (from a debrief)
    Column("status", Text, nullable=False),  # open, fulfilled, dropped
    Column("follow_ups", JSONB, nullable=False),  # [{on, note}]
    Column("source", Text, nullable=False),  # meeting, debrief, direct
    Column("visit_id", Uuid),
    Column("source_item_id", Uuid),  # the debrief item it came from: a redelivery makes no second one
    Column("problem_of_practice_id", Uuid),
    Column("overdue_reported", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
    _created(),
    UniqueConstraint("tenant_id", "source_item_id", name="uq_commitments__source_item_id"),
    Index("ix_commitments__school", "tenant_id", "school_id", "status"),
)

cycles = Table(
    "cycles", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("problem_of_practice_id", Uuid, nullable=False),
    Column("change_idea_id", Uuid, nullable=False),
    Column("school_id", Uuid, nullable=False),
    Column("plan", JSONB, nullable=False),  # {questions: [{question, prediction}], ...}
    Column("do", JSONB),  # {as_planned, observations}
    Column("study", JSONB),  # {studied_on, comparisons: [{question, prediction, result}]}
    Column("decision", Text),  # adopt, adapt, abandon
    Column("acted_on", Date),  # the act step: when the decision was taken
    Column("act_notes", Text),  # and why (the act step's notes)
    Column("stage", Text, nullable=False),  # plan, do, study, act
    Column("version", Integer, nullable=False),
    _created(),
    Index("ix_cycles__problem", "tenant_id", "problem_of_practice_id"),
)

# One row per interaction between two educators (a < b): co-attendance, joint visit or mentoring.
# (kind, source_id, a_id, b_id) is unique per tenant, so replaying an event adds nothing.
interactions = Table(
    "interactions", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # co_attendance, joint_visit, mentoring
    Column("source_id", Uuid, nullable=False),  # meeting, visit or mentorship id
    Column("a_id", Uuid, nullable=False),
    Column("b_id", Uuid, nullable=False),
    Column("network_id", Uuid),
    Column("school_id", Uuid),
    Column("weight", Float, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("ended_on", Date),
    PrimaryKeyConstraint("tenant_id", "kind", "source_id", "a_id", "b_id"),
)

# The graph projection: measures per scope (network or school) and period, recomputed on writes and
# events, read by requests (never computed per request).
graph_measures = Table(
    "graph_measures", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("scope", Text, nullable=False),  # network, school
    Column("scope_id", Uuid, nullable=False),
    Column("period", Text, nullable=False),  # YYYY-MM, cumulative up to the end of that month
    Column("measures", JSONB, nullable=False),  # {nodes, edges, density, reciprocity, centralization}
    Column("people", JSONB, nullable=False),  # {educator_id: {degree, betweenness, effective_size, percentile}}
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "scope", "scope_id", "period"),
)

# The scopes whose measures wait to be recomputed: requested by the use case that changed their ties, in
# its transaction, and taken by the worker, so a write never pays for a large network's graph. `since`:
# from this month on (NULL: every month); `version` grows with each request, so a request arriving while
# the worker computes is not lost with the row.
graph_refresh = Table(
    "graph_refresh", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("scope", Text, nullable=False),  # network, school
    Column("scope_id", Uuid, nullable=False),
    Column("since", Date),
    Column("version", BigInteger, nullable=False, server_default="1"),
    Column("claimed_until", DateTime(timezone=True)),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "scope", "scope_id"),
)

# Each emergence is announced once: (educator, scope, period).
emerged_leaders = Table(
    "emerged_leaders", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("educator_id", Uuid, nullable=False),
    Column("scope_id", Uuid, nullable=False),
    Column("period", Text, nullable=False),
    Column("betweenness_percentile", Float, nullable=False),
    _created(),
    PrimaryKeyConstraint("tenant_id", "educator_id", "scope_id", "period"),
)
