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
    item: Any = None  # a list's (or a page's) items, when they are typed


def op(name: str, method: str, path: str, result: type[T], *, creates: bool = False,
       item: Any = None) -> Operation[T]:
    """Register an operation; `result` is the model its answer is typed as (for readers and mypy), `item`
    that of a list's or a page's items. The contract test checks every TypedDict named here against the
    route's documented answer."""
    o: Operation[T] = Operation(name, method, path, creates, paged=result is m.Page, result=result, item=item)
    OPERATIONS.append(o)
    return o


Json = dict[str, Any]

# --- hr: the directory ---------------------------------------------------------------------------------
CREATE_SCHOOL = op("create_school", "POST", "/hr/schools", m.School, creates=True)
LIST_SCHOOLS = op("list_schools", "GET", "/hr/schools", m.Page, item=m.School)
GET_SCHOOL = op("get_school", "GET", "/hr/schools/{record_id}", m.School)
BULK_SCHOOLS = op("bulk_schools", "POST", "/hr/schools/bulk", m.BulkResult)
PUT_SCHOOL_BY_EXTERNAL_ID = op("put_school_by_external_id", "PUT",
                               "/hr/schools/by-external-id/{system}/{external_id}", m.School)
CREATE_EDUCATOR = op("create_educator", "POST", "/hr/educators", m.Educator, creates=True)
LIST_EDUCATORS = op("list_educators", "GET", "/hr/educators", m.Page, item=m.Educator)
GET_EDUCATOR = op("get_educator", "GET", "/hr/educators/{record_id}", m.Educator)
BULK_EDUCATORS = op("bulk_educators", "POST", "/hr/educators/bulk", m.BulkResult)
PUT_EDUCATOR_BY_EXTERNAL_ID = op("put_educator_by_external_id", "PUT",
                                 "/hr/educators/by-external-id/{system}/{external_id}", m.Educator)

CREATE_DISTRICT = op("create_district", "POST", "/hr/districts", dict, creates=True)
GET_DISTRICT = op("get_district", "GET", "/hr/districts/{record_id}", dict)
UPDATE_DISTRICT = op("update_district", "PATCH", "/hr/districts/{record_id}", dict)
DELETE_DISTRICT = op("delete_district", "DELETE", "/hr/districts/{record_id}", type(None))
UPDATE_SCHOOL = op("update_school", "PATCH", "/hr/schools/{record_id}", m.School)
DELETE_SCHOOL = op("delete_school", "DELETE", "/hr/schools/{record_id}", type(None))
UPDATE_EDUCATOR = op("update_educator", "PATCH", "/hr/educators/{record_id}", m.Educator)
DELETE_EDUCATOR = op("delete_educator", "DELETE", "/hr/educators/{record_id}", type(None))

# --- hr: the career ladder, hiring, mentoring, leadership -----------------------------------------------------
GET_LADDER = op("get_ladder", "GET", "/hr/ladder", dict)
PUT_LADDER = op("put_ladder", "PUT", "/hr/ladder", dict)
TRANSITION_EDUCATOR = op("transition_educator", "POST", "/hr/educators/{educator_id}/transitions", dict,
                         creates=True)
LIST_EDUCATOR_TRANSITIONS = op("list_educator_transitions", "GET", "/hr/educators/{educator_id}/transitions", list)
PUT_READINESS = op("put_readiness", "PUT", "/hr/educators/{educator_id}/readiness", dict)
GET_READINESS = op("get_readiness", "GET", "/hr/educators/{educator_id}/readiness", dict)
CREATE_POSTING = op("create_posting", "POST", "/hr/postings", dict, creates=True)
LIST_POSTINGS = op("list_postings", "GET", "/hr/postings", list)
APPLY_TO_POSTING = op("apply_to_posting", "POST", "/hr/postings/{posting_id}/applications", dict, creates=True)
LIST_APPLICATIONS = op("list_applications", "GET", "/hr/postings/{posting_id}/applications", list)
GET_APPLICATION = op("get_application", "GET", "/hr/applications/{application_id}", dict)
CHANGE_APPLICATION = op("change_application", "PATCH", "/hr/applications/{application_id}", dict)
HIRE_APPLICATION = op("hire_application", "POST", "/hr/applications/{application_id}/hire", dict)
ASSIGN_MENTORSHIP = op("assign_mentorship", "POST", "/hr/mentorships", dict, creates=True)
LIST_MENTORSHIPS = op("list_mentorships", "GET", "/hr/mentorships", list)
END_MENTORSHIP = op("end_mentorship", "POST", "/hr/mentorships/{mentorship_id}/end", dict)
MENTORING_ALERTS = op("mentoring_alerts", "GET", "/hr/mentoring/alerts", list)
OPEN_MENTORING_GAPS = op("open_mentoring_gaps", "POST", "/hr/mentoring/gaps", list)
MENTORING_COVERAGE = op("mentoring_coverage", "GET", "/hr/mentoring/coverage", dict)
RECORD_RESPONSIBILITY = op("record_responsibility", "POST", "/hr/educators/{educator_id}/responsibilities", dict,
                           creates=True)
LIST_RESPONSIBILITIES = op("list_responsibilities", "GET", "/hr/educators/{educator_id}/responsibilities", list)
LIST_LEADERSHIP_SIGNALS = op("list_leadership_signals", "GET", "/hr/educators/{educator_id}/leadership-signals",
                             list)
GIVE_FEEDBACK = op("give_feedback", "POST", "/hr/educators/{educator_id}/feedback", dict, creates=True)
LIST_FEEDBACK = op("list_feedback", "GET", "/hr/educators/{educator_id}/feedback", list)
PLACE_RESIDENCY = op("place_residency", "POST", "/hr/residencies", dict, creates=True)
LIST_RESIDENCIES = op("list_residencies", "GET", "/hr/residencies", list)
GET_RESIDENCY = op("get_residency", "GET", "/hr/residencies/{residency_id}", dict)
END_RESIDENCY = op("end_residency", "POST", "/hr/residencies/{residency_id}/end", dict)
RECORD_PROFESSIONAL_LEARNING = op("record_professional_learning", "POST", "/hr/professional-learning", dict,
                                  creates=True)
LIST_PROFESSIONAL_LEARNING = op("list_professional_learning", "GET",
                                "/hr/educators/{educator_id}/professional-learning", list)
CREATE_POST = op("create_post", "POST", "/hr/posts", dict, creates=True)
LIST_POSTS = op("list_posts", "GET", "/hr/posts", list)
PIPELINE_ANALYTICS = op("pipeline_analytics", "GET", "/hr/pipeline/analytics", dict)

IMPORT_ONEROSTER = op("import_oneroster", "POST", "/hr/imports/oneroster", m.ImportJob, creates=True)
IMPORT_EDFI = op("import_edfi", "POST", "/hr/imports/edfi", m.ImportJob, creates=True)
LIST_IMPORTS = op("list_imports", "GET", "/hr/imports", m.Page, item=m.ImportJob)
GET_IMPORT = op("get_import", "GET", "/hr/imports/{job_id}", m.ImportJob)

# --- observations: rounds ------------------------------------------------------------------------------
CREATE_PROTOCOL = op("create_protocol", "POST", "/observations/protocols", m.Protocol, creates=True)
LIST_PROTOCOLS = op("list_protocols", "GET", "/observations/protocols", list, item=m.Protocol)
GET_PROTOCOL = op("get_protocol", "GET", "/observations/protocols/{protocol_id}", m.Protocol)
CREATE_VISIT = op("create_visit", "POST", "/observations/visits", m.Visit, creates=True)
GET_VISIT = op("get_visit", "GET", "/observations/visits/{visit_id}", m.Visit)
TRANSITION_VISIT = op("transition_visit", "POST", "/observations/visits/{visit_id}/transitions", m.Visit)
CREATE_RECORD = op("create_record", "POST", "/observations/visits/{visit_id}/records", m.Record, creates=True)
LIST_VISIT_RECORDS = op("list_visit_records", "GET", "/observations/visits/{visit_id}/records", list,
                        item=m.RecordSummary)
LIST_VISIT_NOTES = op("list_visit_notes", "GET", "/observations/visits/{visit_id}/notes", list)
GET_RECORD = op("get_record", "GET", "/observations/records/{record_id}", m.Record)
SAVE_RECORD = op("save_record", "PATCH", "/observations/records/{record_id}", m.Record)
TRANSITION_RECORD = op("transition_record", "POST", "/observations/records/{record_id}/transitions", m.Record)
UPLOAD_OFFLINE = op("upload_offline", "POST", "/observations/offline-batches", m.OfflineResult, creates=True)
PUT_DEBRIEF = op("put_debrief", "PUT", "/observations/visits/{visit_id}/debrief", m.Debrief)
GET_DEBRIEF = op("get_debrief", "GET", "/observations/visits/{visit_id}/debrief", m.Debrief)
GET_QUALITY = op("get_quality", "GET", "/observations/schools/{school_id}/quality", m.Quality)

PUBLISH_PROTOCOL_VERSION = op("publish_protocol_version", "POST", "/observations/protocols/{protocol_id}/versions",
                              m.Protocol, creates=True)
LIST_VISITS_EXAMINING = op("list_visits_examining", "GET",
                           "/observations/problems-of-practice/{problem_of_practice_id}/visits", list)
SELECT_NOTE = op("select_note", "PUT", "/observations/notes/{note_id}/selection", dict)
SCREEN_NOTE = op("screen_note", "PUT", "/observations/notes/{note_id}/screening", dict)
SET_LEXICON = op("set_lexicon", "PUT", "/observations/lexicons/{language}", type(None))
ADD_PATTERN = op("add_pattern", "POST", "/observations/visits/{visit_id}/patterns", dict, creates=True)
LIST_PATTERNS = op("list_patterns", "GET", "/observations/visits/{visit_id}/patterns", list)
CREATE_CALIBRATION = op("create_calibration", "POST", "/observations/calibration-sessions", dict, creates=True)
ADD_CODING = op("add_coding", "POST", "/observations/calibration-sessions/{session_id}/codings", dict)
GET_CALIBRATION = op("get_calibration", "GET", "/observations/calibration-sessions/{session_id}", dict)
CLOSE_QUALITY_PERIOD = op("close_quality_period", "POST", "/observations/schools/{school_id}/quality/close", list,
                          item=m.Quality)
EVIDENCE_QUALITY = op("evidence_quality", "GET", "/observations/observers/{observer_id}/evidence-quality", dict)

# --- networks ------------------------------------------------------------------------------------------
CREATE_NETWORK = op("create_network", "POST", "/networks/networks", m.Network, creates=True)
LIST_NETWORKS = op("list_networks", "GET", "/networks/networks", m.Page, item=m.Network)
GET_NETWORK = op("get_network", "GET", "/networks/networks/{network_id}", m.Network)
ADD_MEMBER = op("add_member", "POST", "/networks/networks/{network_id}/members", m.Membership, creates=True)
LIST_MEMBERS = op("list_members", "GET", "/networks/networks/{network_id}/members", list, item=m.Membership)
HOST_ROTATION = op("host_rotation", "GET", "/networks/networks/{network_id}/host-rotation", dict)
CHAIR_SUGGESTION = op("chair_suggestion", "GET", "/networks/networks/{network_id}/chair-suggestion",
                      m.ChairSuggestion)
CREATE_MEETING = op("create_meeting", "POST", "/networks/meetings", m.Meeting, creates=True)
LIST_MEETINGS = op("list_meetings", "GET", "/networks/meetings", m.Page, item=m.Meeting)
GET_MEETING = op("get_meeting", "GET", "/networks/meetings/{meeting_id}", m.Meeting)
CREATE_COMMITMENT = op("create_commitment", "POST", "/networks/commitments", m.Commitment, creates=True)
LIST_COMMITMENTS = op("list_commitments", "GET", "/networks/commitments", m.Page, item=m.Commitment)
GET_COMMITMENT = op("get_commitment", "GET", "/networks/commitments/{commitment_id}", m.Commitment)
FOLLOW_UP = op("follow_up", "POST", "/networks/commitments/{commitment_id}/follow-ups", m.Commitment)
TRANSITION_COMMITMENT = op("transition_commitment", "POST", "/networks/commitments/{commitment_id}/transitions",
                           m.Commitment)
NETWORK_GRAPH = op("network_graph", "GET", "/networks/networks/{network_id}/graph", m.Graph)
NETWORK_GRAPH_EXPORT = op("network_graph_export", "GET", "/networks/networks/{network_id}/graph/export",
                          m.GraphExport)

REVISE_NORMS = op("revise_norms", "PUT", "/networks/networks/{network_id}/norms", m.Network)
GET_MEMBERSHIP = op("get_membership", "GET", "/networks/memberships/{membership_id}", m.Membership)
END_MEMBERSHIP = op("end_membership", "POST", "/networks/memberships/{membership_id}/end", m.Membership)
NETWORK_LEADERSHIP = op("network_leadership", "GET", "/networks/networks/{network_id}/leadership", dict)
EMERGING_LEADERS = op("emerging_leaders", "GET", "/networks/networks/{network_id}/emerging-leaders", list)
SCHOOL_GRAPH = op("school_graph", "GET", "/networks/schools/{school_id}/graph", m.Graph)
COMMITMENT_COUNTS = op("commitment_counts", "GET", "/networks/commitment-counts", list)

# --- networks: problems of practice, their driver diagrams and PDSA cycles; the practice library -----------
CREATE_PROBLEM_OF_PRACTICE = op("create_problem_of_practice", "POST", "/networks/problems-of-practice", dict,
                                creates=True)
LIST_PROBLEMS_OF_PRACTICE = op("list_problems_of_practice", "GET", "/networks/problems-of-practice", m.Page)
GET_PROBLEM_OF_PRACTICE = op("get_problem_of_practice", "GET", "/networks/problems-of-practice/{problem_id}", dict)
REVISE_PROBLEM_OF_PRACTICE = op("revise_problem_of_practice", "PATCH", "/networks/problems-of-practice/{problem_id}",
                                dict)
TRANSITION_PROBLEM_OF_PRACTICE = op("transition_problem_of_practice", "POST",
                                    "/networks/problems-of-practice/{problem_id}/transitions", dict)
PUT_DRIVER_DIAGRAM = op("put_driver_diagram", "PUT", "/networks/problems-of-practice/{problem_id}/driver-diagram",
                        dict)
ADD_CHANGE_IDEA = op("add_change_idea", "POST", "/networks/problems-of-practice/{problem_id}/change-ideas", dict,
                     creates=True)
PLAN_CYCLE = op("plan_cycle", "POST", "/networks/cycles", dict, creates=True)
GET_CYCLE = op("get_cycle", "GET", "/networks/cycles/{cycle_id}", dict)
LIST_CYCLES = op("list_cycles", "GET", "/networks/problems-of-practice/{problem_id}/cycles", list)
DO_CYCLE = op("do_cycle", "POST", "/networks/cycles/{cycle_id}/do", dict)
STUDY_CYCLE = op("study_cycle", "POST", "/networks/cycles/{cycle_id}/study", dict)
ACT_CYCLE = op("act_cycle", "POST", "/networks/cycles/{cycle_id}/act", dict)
CONTRIBUTE_PRACTICE = op("contribute_practice", "POST", "/networks/practices", dict, creates=True)
GET_PRACTICE = op("get_practice", "GET", "/networks/practices/{practice_id}", dict)
REVISE_PRACTICE = op("revise_practice", "PATCH", "/networks/practices/{practice_id}", dict)
ADOPT_PRACTICE = op("adopt_practice", "POST", "/networks/practices/{practice_id}/adoptions", dict, creates=True)
LIST_ADOPTIONS = op("list_adoptions", "GET", "/networks/practices/{practice_id}/adoptions", list)
LIST_LIBRARY = op("list_library", "GET", "/networks/library", m.Page)
GET_PUBLISHED_PRACTICE = op("get_published_practice", "GET", "/networks/library/{practice_id}", dict)

# --- strategy ------------------------------------------------------------------------------------------
CREATE_PLAN = op("create_plan", "POST", "/strategy/plans", m.Plan, creates=True)
GET_PLAN = op("get_plan", "GET", "/strategy/plans/{plan_id}", m.Plan)
ADD_GOAL = op("add_goal", "POST", "/strategy/plans/{plan_id}/goals", m.Goal, creates=True)
GET_GOAL = op("get_goal", "GET", "/strategy/goals/{goal_id}", m.Goal)
LOAD_MEASUREMENTS = op("load_measurements", "POST", "/strategy/measurements/bulk", m.BulkResult)
GET_SERIES = op("get_series", "GET", "/strategy/schools/{school_id}/series/{measure}", m.Series)
GET_TRAJECTORY = op("get_trajectory", "GET", "/strategy/schools/{school_id}/trajectory", dict)

ADOPT_PLAN = op("adopt_plan", "POST", "/strategy/plans/{plan_id}/adopt", m.Plan)
REVIEW_PLAN = op("review_plan", "POST", "/strategy/plans/{plan_id}/review", dict)
ADD_STATEMENT = op("add_statement", "POST", "/strategy/plans/{plan_id}/statements", dict, creates=True)
GET_STATEMENT = op("get_statement", "GET", "/strategy/statements/{statement_id}", dict)
ADD_INITIATIVE = op("add_initiative", "POST", "/strategy/plans/{plan_id}/initiatives", dict, creates=True)
GET_INITIATIVE = op("get_initiative", "GET", "/strategy/initiatives/{initiative_id}", dict)
UPDATE_INITIATIVE_STATUS = op("update_initiative_status", "POST", "/strategy/initiatives/{initiative_id}/updates",
                              dict)
GET_RECIPROCITY_WEIGHTS = op("get_reciprocity_weights", "GET", "/strategy/reciprocity/weights", dict)
PUT_RECIPROCITY_WEIGHTS = op("put_reciprocity_weights", "PUT", "/strategy/reciprocity/weights", dict)
RECIPROCITY_LEDGER = op("reciprocity_ledger", "GET", "/strategy/schools/{school_id}/reciprocity", dict)

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
DELETED = {(s, r): op(f"list_deleted_{s}_{r}".replace("-", "_"), "GET", f"/{s}/{r}/deletes", m.Page,
                      item=m.Tombstone)
           for s, rs in TRACKED.items() for r in rs}

# --- the gateway: the full tenant export -------------------------------------------------------------------
START_EXPORT = op("start_export", "POST", "/exports", m.ExportJob)
LIST_EXPORTS = op("list_exports", "GET", "/exports", m.Page, item=m.ExportJob)
GET_EXPORT = op("get_export", "GET", "/exports/{export_id}", m.ExportJob)
DOWNLOAD_EXPORT = op("download_export", "GET", "/exports/{export_id}/archive", bytes)

# --- the gateway: the tenant administrator's people, clients and audit trail ------------------------------------
# No Idempotency-Key: these routes take none (an invitation or a client's secret is shown once, never replayed).
LIST_PEOPLE = op("list_people", "GET", "/admin/people", list)
INVITE_PERSON = op("invite_person", "POST", "/admin/people", dict)
GET_PERSON = op("get_person", "GET", "/admin/people/{person_id}", dict)
REVOKE_PERSON = op("revoke_person", "POST", "/admin/people/{person_id}/revoke", type(None))
LIST_CLIENTS = op("list_clients", "GET", "/admin/clients", list)
CREATE_CLIENT = op("create_client", "POST", "/admin/clients", dict)
GET_CLIENT = op("get_client", "GET", "/admin/clients/{client_id}", dict)
REVOKE_CLIENT = op("revoke_client", "DELETE", "/admin/clients/{client_id}", type(None))
ROTATE_CLIENT_SECRET = op("rotate_client_secret", "POST", "/admin/clients/{client_id}/secret", dict)
LIST_AUDIT = op("list_audit", "GET", "/audit", m.Page)

# --- the gateway: partner delivery (subscriptions are the tenant admin's; the feed, a partner client's) ------
# No Idempotency-Key: the route takes none, so the SDK never resends a lost subscription POST.
CREATE_SUBSCRIPTION = op("create_subscription", "POST", "/partners/subscriptions", m.SubscriptionWithSecret)
LIST_SUBSCRIPTIONS = op("list_subscriptions", "GET", "/partners/subscriptions", list, item=m.Subscription)
DELETE_SUBSCRIPTION = op("delete_subscription", "DELETE", "/partners/subscriptions/{subscription_id}", type(None))
GET_SUBSCRIPTION = op("get_subscription", "GET", "/partners/subscriptions/{subscription_id}", m.Subscription)
UPDATE_SUBSCRIPTION = op("update_subscription", "PATCH", "/partners/subscriptions/{subscription_id}", m.Subscription)
ENABLE_SUBSCRIPTION = op("enable_subscription", "POST", "/partners/subscriptions/{subscription_id}/enable",
                         m.Subscription)
DISABLE_SUBSCRIPTION = op("disable_subscription", "POST", "/partners/subscriptions/{subscription_id}/disable",
                          m.Subscription)
ROTATE_SUBSCRIPTION_SECRET = op("rotate_subscription_secret", "POST",
                                "/partners/subscriptions/{subscription_id}/secret", m.SubscriptionWithSecret)
REPLAY_SUBSCRIPTION = op("replay_subscription", "POST", "/partners/subscriptions/{subscription_id}/replay", dict)
LIST_DELIVERIES = op("list_deliveries", "GET", "/partners/subscriptions/{subscription_id}/deliveries", list)
READ_EVENTS = op("read_events", "GET", "/events", m.EventPage)
