"""Every call the SDK makes, once: method, path template (under `/api/v1`) and whether it creates something
(then it carries an `Idempotency-Key`). The contract test checks each against the merged OpenAPI document,
so a route renamed on the server fails a test here, not a coordinator's morning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from improvenet_client import models as m

T = TypeVar("T")
OPERATIONS: list[Operation[Any]] = []


@dataclass(frozen=True)
class Operation(Generic[T]):
    name: str
    method: str
    path: str
    creates: bool = False
    paged: bool = False  # a cursor-paged list: `page_size`, `page_token`, `next_page_token`
    result: Any = None  # the model of its answer; `bytes` for a file (an export's zip)


def op(name: str, method: str, path: str, result: type[T], *, creates: bool = False) -> Operation[T]:
    """Register an operation; `result` is the model its answer is typed as (for readers and mypy)."""
    o: Operation[T] = Operation(name, method, path, creates, paged=result is m.Page, result=result)
    OPERATIONS.append(o)
    return o


Json = dict[str, Any]

# --- hr: the directory ---------------------------------------------------------------------------------
CREATE_SCHOOL = op("create_school", "POST", "/hr/schools", m.School, creates=True)
LIST_SCHOOLS = op("list_schools", "GET", "/hr/schools", m.Page)
GET_SCHOOL = op("get_school", "GET", "/hr/schools/{record_id}", m.School)
BULK_SCHOOLS = op("bulk_schools", "POST", "/hr/schools/bulk", m.BulkResult)
PUT_SCHOOL_BY_EXTERNAL_ID = op("put_school_by_external_id", "PUT",
                               "/hr/schools/by-external-id/{system}/{external_id}", m.School)
CREATE_EDUCATOR = op("create_educator", "POST", "/hr/educators", m.Educator, creates=True)
LIST_EDUCATORS = op("list_educators", "GET", "/hr/educators", m.Page)
GET_EDUCATOR = op("get_educator", "GET", "/hr/educators/{record_id}", m.Educator)
BULK_EDUCATORS = op("bulk_educators", "POST", "/hr/educators/bulk", m.BulkResult)
PUT_EDUCATOR_BY_EXTERNAL_ID = op("put_educator_by_external_id", "PUT",
                                 "/hr/educators/by-external-id/{system}/{external_id}", m.Educator)

IMPORT_ONEROSTER = op("import_oneroster", "POST", "/hr/imports/oneroster", m.ImportJob, creates=True)
IMPORT_EDFI = op("import_edfi", "POST", "/hr/imports/edfi", m.ImportJob, creates=True)
LIST_IMPORTS = op("list_imports", "GET", "/hr/imports", m.Page)
GET_IMPORT = op("get_import", "GET", "/hr/imports/{job_id}", m.ImportJob)

# --- observations: rounds ------------------------------------------------------------------------------
CREATE_PROTOCOL = op("create_protocol", "POST", "/observations/protocols", m.Protocol, creates=True)
LIST_PROTOCOLS = op("list_protocols", "GET", "/observations/protocols", list)
GET_PROTOCOL = op("get_protocol", "GET", "/observations/protocols/{protocol_id}", m.Protocol)
CREATE_VISIT = op("create_visit", "POST", "/observations/visits", m.Visit, creates=True)
GET_VISIT = op("get_visit", "GET", "/observations/visits/{visit_id}", m.Visit)
TRANSITION_VISIT = op("transition_visit", "POST", "/observations/visits/{visit_id}/transitions", m.Visit)
CREATE_RECORD = op("create_record", "POST", "/observations/visits/{visit_id}/records", m.Record, creates=True)
LIST_VISIT_RECORDS = op("list_visit_records", "GET", "/observations/visits/{visit_id}/records", list)
LIST_VISIT_NOTES = op("list_visit_notes", "GET", "/observations/visits/{visit_id}/notes", list)
GET_RECORD = op("get_record", "GET", "/observations/records/{record_id}", m.Record)
SAVE_RECORD = op("save_record", "PATCH", "/observations/records/{record_id}", m.Record)
TRANSITION_RECORD = op("transition_record", "POST", "/observations/records/{record_id}/transitions", m.Record)
UPLOAD_OFFLINE = op("upload_offline", "POST", "/observations/offline-batches", m.OfflineResult, creates=True)
PUT_DEBRIEF = op("put_debrief", "PUT", "/observations/visits/{visit_id}/debrief", m.Debrief)
GET_DEBRIEF = op("get_debrief", "GET", "/observations/visits/{visit_id}/debrief", m.Debrief)
GET_QUALITY = op("get_quality", "GET", "/observations/schools/{school_id}/quality", m.Quality)

# --- networks ------------------------------------------------------------------------------------------
CREATE_NETWORK = op("create_network", "POST", "/networks/networks", m.Network, creates=True)
LIST_NETWORKS = op("list_networks", "GET", "/networks/networks", m.Page)
GET_NETWORK = op("get_network", "GET", "/networks/networks/{network_id}", m.Network)
ADD_MEMBER = op("add_member", "POST", "/networks/networks/{network_id}/members", m.Membership, creates=True)
LIST_MEMBERS = op("list_members", "GET", "/networks/networks/{network_id}/members", list)
HOST_ROTATION = op("host_rotation", "GET", "/networks/networks/{network_id}/host-rotation", dict)
CHAIR_SUGGESTION = op("chair_suggestion", "GET", "/networks/networks/{network_id}/chair-suggestion",
                      m.ChairSuggestion)
CREATE_MEETING = op("create_meeting", "POST", "/networks/meetings", m.Meeting, creates=True)
LIST_MEETINGS = op("list_meetings", "GET", "/networks/meetings", m.Page)
GET_MEETING = op("get_meeting", "GET", "/networks/meetings/{meeting_id}", m.Meeting)
CREATE_COMMITMENT = op("create_commitment", "POST", "/networks/commitments", m.Commitment, creates=True)
LIST_COMMITMENTS = op("list_commitments", "GET", "/networks/commitments", m.Page)
GET_COMMITMENT = op("get_commitment", "GET", "/networks/commitments/{commitment_id}", m.Commitment)
FOLLOW_UP = op("follow_up", "POST", "/networks/commitments/{commitment_id}/follow-ups", m.Commitment)
TRANSITION_COMMITMENT = op("transition_commitment", "POST", "/networks/commitments/{commitment_id}/transitions",
                           m.Commitment)
NETWORK_GRAPH = op("network_graph", "GET", "/networks/networks/{network_id}/graph", m.Graph)
NETWORK_GRAPH_EXPORT = op("network_graph_export", "GET", "/networks/networks/{network_id}/graph/export",
                          m.GraphExport)

# --- strategy ------------------------------------------------------------------------------------------
CREATE_PLAN = op("create_plan", "POST", "/strategy/plans", m.Plan, creates=True)
GET_PLAN = op("get_plan", "GET", "/strategy/plans/{plan_id}", m.Plan)
ADD_GOAL = op("add_goal", "POST", "/strategy/plans/{plan_id}/goals", m.Goal, creates=True)
GET_GOAL = op("get_goal", "GET", "/strategy/goals/{goal_id}", m.Goal)
LOAD_MEASUREMENTS = op("load_measurements", "POST", "/strategy/measurements/bulk", m.BulkResult)
GET_SERIES = op("get_series", "GET", "/strategy/schools/{school_id}/series/{measure}", m.Series)
GET_TRAJECTORY = op("get_trajectory", "GET", "/strategy/schools/{school_id}/trajectory", dict)

# --- change queries, on every service: what a district's sync reads (the README's "District IT") ----------
TRACKED: dict[str, tuple[str, ...]] = {
    "hr": ("districts", "schools", "educators"),
    "observations": ("protocols", "visits", "quality-index"),
    "networks": ("networks", "memberships", "practices"),
    "strategy": ("plans", "goals", "measurements"),
}
UNPAGED = {("observations", "protocols")}  # a short list, answered whole
CHANGE_VERSIONS = {s: op(f"available_change_versions_{s}", "GET", f"/{s}/available-change-versions",
                         m.ChangeVersions) for s in TRACKED}
CHANGED = {(s, r): op(f"list_changed_{s}_{r}".replace("-", "_"), "GET", f"/{s}/{r}",
                      list if (s, r) in UNPAGED else m.Page) for s, rs in TRACKED.items() for r in rs}
DELETED = {(s, r): op(f"list_deleted_{s}_{r}".replace("-", "_"), "GET", f"/{s}/{r}/deletes", m.Page)
           for s, rs in TRACKED.items() for r in rs}

# --- the gateway: the full tenant export -------------------------------------------------------------------
START_EXPORT = op("start_export", "POST", "/exports", m.ExportJob)
LIST_EXPORTS = op("list_exports", "GET", "/exports", m.Page)
GET_EXPORT = op("get_export", "GET", "/exports/{export_id}", m.ExportJob)
DOWNLOAD_EXPORT = op("download_export", "GET", "/exports/{export_id}/archive", bytes)

# --- the gateway: partner delivery (subscriptions are the tenant admin's; the feed, a partner client's) ------
# No Idempotency-Key: the route takes none, so the SDK never resends a lost subscription POST.
CREATE_SUBSCRIPTION = op("create_subscription", "POST", "/partners/subscriptions", m.Subscription)
LIST_SUBSCRIPTIONS = op("list_subscriptions", "GET", "/partners/subscriptions", list)
DELETE_SUBSCRIPTION = op("delete_subscription", "DELETE", "/partners/subscriptions/{subscription_id}", type(None))
READ_EVENTS = op("read_events", "GET", "/events", m.EventPage)
