"""Typed views of the answers the SDK returns (TypedDicts: the JSON as it comes, typed for readers and
mypy). Only the resources the CLI's routines use are spelt out; every other answer is a plain dict."""

from __future__ import annotations

from typing import Any, Generic, NotRequired, TypedDict, TypeVar

T = TypeVar("T")


class Page(TypedDict, Generic[T]):
    items: list[T]
    next_page_token: NotRequired[str | None]


class BulkResult(TypedDict):
    items: list[dict[str, Any]]


# --- hr ------------------------------------------------------------------------------------------------
class School(TypedDict):
    id: str
    name: str
    district_id: str | None
    sourced_id: NotRequired[str | None]
    ed_fi_id: NotRequired[str | None]
    version: int


class Educator(TypedDict):
    id: str
    school_id: str | None
    career_stage: str
    given_name: NotRequired[str]  # with hr:pii only
    family_name: NotRequired[str]
    version: int


class ImportProgress(TypedDict):
    read: int
    written: int
    unchanged: int
    failed: int


class ImportJob(TypedDict):
    id: str
    format: str  # oneroster | edfi
    status: str  # queued | validating | applying | succeeded | failed
    progress: ImportProgress
    attempts: int
    report: dict[str, Any]  # issues (file, line, column, value, expected), outcomes per resource


# --- every service: change queries, and the gateway's tenant export ------------------------------------
class ChangeVersions(TypedDict):
    oldest_change_version: int
    newest_change_version: int


class Tombstone(TypedDict):
    id: str
    external_ids: dict[str, str]
    change_version: int
    deleted_at: str


class ExportFile(TypedDict):
    """One file of an export's zip, as its manifest names it."""

    path: str  # <service>/<resource>.jsonl
    service: str
    resource: str
    rows: int
    sha256: str
    personal_fields_included: list[str]


class ExportJob(TypedDict):
    id: str
    status: str  # queued | running | succeeded | failed
    personal_data: bool
    attempts: int  # the worker's tries so far (it gives up after three)
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    archive_bytes: int | None
    download: str | None
    files: list[ExportFile]  # empty until it has succeeded


# --- observations --------------------------------------------------------------------------------------
class LookFor(TypedDict):
    code: str
    description: str
    domain: str
    weight: NotRequired[float]


class ProtocolVersion(TypedDict):
    id: str
    number: int
    look_fors: list[LookFor]


class Protocol(TypedDict):
    id: str
    name: str
    purpose: str
    versions: list[ProtocolVersion]


class Classroom(TypedDict):
    id: str
    grade: str
    subject: str
    room: str
    teacher_id: str | None


class Recommendation(TypedDict):
    recommendation: str
    owner_id: str
    due_date: NotRequired[str | None]
    horizon: NotRequired[str]
    level: NotRequired[str]
    item_id: NotRequired[str | None]


class Visit(TypedDict):
    id: str
    school_id: str
    visit_date: str
    protocol_version_id: str
    problem_of_practice: str
    network_id: str | None
    observer_ids: list[str]
    classrooms: list[Classroom]
    status: str
    version: int
    prediction: str | None
    next_level_of_work: list[Recommendation] | None


class NoteIn(TypedDict):
    observed_at: str
    text: str
    look_for_codes: NotRequired[list[str]]
    language: NotRequired[str | None]
    client_id: NotRequired[str | None]


class Note(TypedDict):
    id: str
    observed_at: str
    text: str
    look_for_codes: list[str]
    language: str
    descriptive: bool
    verdict: NotRequired[str]
    flags: list[dict[str, Any]]


class Record(TypedDict):
    id: str
    visit_id: str
    classroom_id: str
    observer_id: str
    status: str
    version: int
    notes: list[Note]


class RecordSummary(TypedDict):
    id: str
    classroom_id: str
    observer_id: str
    status: str
    version: int
    notes: int


class OfflineOutcome(TypedDict):
    client_id: str
    id: str
    outcome: str  # created | unchanged


class OfflineResult(TypedDict):
    records: list[OfflineOutcome]


class Pattern(TypedDict):
    code: str
    description: str
    classrooms: int
    notes: int


class Debrief(TypedDict):
    visit_id: str
    status: str
    observed_classrooms: int
    patterns: list[Pattern]
    prediction: str | None
    next_level_of_work: list[Recommendation] | None


class Quality(TypedDict):
    school_id: str
    period: str
    protocol_version_id: str | None
    observed_classrooms: int
    minimum_classrooms: int
    published: bool
    shares: dict[str, float]
    overall: float | None


# --- networks ------------------------------------------------------------------------------------------
class Network(TypedDict):
    id: str
    name: str
    kind: str
    focus: str
    school_ids: list[str]
    cadence: str
    version: int


class Membership(TypedDict):
    id: str
    network_id: str
    educator_id: str
    school_id: str
    role: str


class ChairCandidate(TypedDict):
    rank: int
    educator_id: str
    score: float
    expertise: float
    turn: float
    matched_tags: list[str]
    reason: str  # expertise | rotation | position
    explanation: str


class ChairSuggestion(TypedDict):
    agenda_tags: list[str]
    candidates: list[ChairCandidate]


class Meeting(TypedDict):
    id: str
    network_id: str
    meeting_date: str
    meeting_type: str
    host_school_id: str | None
    agenda: list[dict[str, Any]]
    attendee_ids: list[str]
    chair_id: str
    chair_reason: str
    version: int


class Commitment(TypedDict):
    id: str
    school_id: str
    educator_id: str | None
    meeting_id: str | None
    network_id: str | None
    description: str
    due_on: str
    status: str  # open | fulfilled | dropped
    source: str
    overdue: bool
    version: int


class GraphMeasures(TypedDict):
    nodes: int
    edges: int
    density: float
    reciprocity: float
    centralization: float


class GraphPeriod(TypedDict):
    period: str  # YYYY-MM: the graph at the end of that month, cumulative from the start
    measures: GraphMeasures


class GraphPerson(TypedDict):
    educator_id: str
    degree: int
    betweenness: float
    effective_size: float
    betweenness_percentile: float


class Graph(TypedDict):
    """A network's (or school's) collaboration graph as the worker last measured it."""

    scope: str  # network | school
    scope_id: str
    period: str | None  # None: no interaction recorded yet
    measures: GraphMeasures | None
    people: list[GraphPerson]  # highest betweenness first
    history: list[GraphPeriod]
    computed_at: str | None
    refresh_pending: bool  # a write changed the graph and the worker has not recomputed it yet


class GraphNode(TypedDict):
    id: str


class GraphEdge(TypedDict):
    source: str
    target: str
    weight: float


class GraphExport(TypedDict):
    directed: bool
    nodes: list[GraphNode]
    edges: list[GraphEdge]


# --- strategy ------------------------------------------------------------------------------------------
class Plan(TypedDict):
    id: str
    level: str
    title: str
    status: str
    version: int


class Goal(TypedDict):
    id: str
    plan_id: str
    measure: str


class SeriesPoint(TypedDict):
    period: str
    value: float
    phase: int
    median: float | None
    centre: float | None
    lower: float | None
    upper: float | None
    baseline: bool


class Signal(TypedDict):
    rule: str
    direction: str
    threshold: float | None
    observed: float | None
    phase: int
    points: list[int]
    periods: list[str]


class Series(TypedDict):
    school_id: str
    measure: str
    points: list[SeriesPoint]
    phases: list[dict[str, Any]]
    signals: list[Signal]
    marks: list[dict[str, Any]]


# --- the gateway: partner delivery ---------------------------------------------------------------------
class Subscription(TypedDict):
    id: str
    name: str
    client_id: str
    types: list[str]
    mode: str  # webhook | feed
    url: str | None
    status: str  # active | disabled
    disabled_reason: str | None
    version: int


class SubscriptionWithSecret(Subscription):
    """A subscription as created or with its secret rotated: the webhook's signing secret, shown this once."""

    secret: str | None


class EventPage(TypedDict):
    """The feed after a cursor: CloudEvents (structured JSON) in order, and where to read on."""

    items: list[dict[str, Any]]
    next_cursor: str
