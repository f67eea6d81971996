"""Events published by the networks service: ids, dates and reasons only, never names.

observations replicates problems of practice (so a visit can name one); hr turns chairing and
emerging leadership into the pipeline's record; strategy marks improvement cycles on run charts.
Networks, members, practices and commitments have their events below the first five.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from libs.contracts.base import EventPayload, event

NETWORK_TOPIC = "networks.network"
PROBLEM_OF_PRACTICE_TOPIC = "networks.problem-of-practice"
MEETING_TOPIC = "networks.meeting"
CYCLE_TOPIC = "networks.cycle"
LEADERSHIP_TOPIC = "networks.leadership"


class ChairReason(StrEnum):
    """Why someone chairs a meeting ("who's chairing the meeting?")."""

    expertise = "expertise"
    rotation = "rotation"
    position = "position"


@event("org.improvenet.networks.problem-of-practice.posed", topic=PROBLEM_OF_PRACTICE_TOPIC,
       subject="problem_of_practice_id")
class ProblemOfPracticePosed(EventPayload):
    """A school stated a problem of practice (visits may now reference it)."""

    problem_of_practice_id: UUID
    school_id: UUID
    network_id: UUID | None
    status: str
    version: int


@event("org.improvenet.networks.problem-of-practice.resolved", topic=PROBLEM_OF_PRACTICE_TOPIC,
       subject="problem_of_practice_id")
class ProblemOfPracticeResolved(EventPayload):
    """A problem of practice was resolved or retired (`status` says which)."""

    problem_of_practice_id: UUID
    school_id: UUID
    status: str
    version: int


@event("org.improvenet.networks.meeting.held", topic=MEETING_TOPIC, subject="meeting_id")
class MeetingHeld(EventPayload):
    """A network meeting took place: who chaired it and why, and who attended (ids)."""

    meeting_id: UUID
    network_id: UUID
    meeting_date: date
    meeting_type: str
    chair_id: UUID
    chair_reason: ChairReason
    attendee_ids: list[UUID]


@event("org.improvenet.networks.leader.emerged", topic=LEADERSHIP_TOPIC, subject="educator_id")
class LeaderEmerged(EventPayload):
    """An educator's betweenness in the collaboration graph rose over `periods` periods."""

    educator_id: UUID
    network_id: UUID | None
    period: str
    periods: int
    betweenness_percentile: float


@event("org.improvenet.networks.cycle.studied", topic=CYCLE_TOPIC, subject="cycle_id")
class CycleStudied(EventPayload):
    """A PDSA cycle's study step compared data with predictions; `decision` once acted on."""

    cycle_id: UUID
    change_idea_id: UUID
    problem_of_practice_id: UUID
    school_id: UUID
    studied_on: date
    decision: str | None  # adopt, adapt, abandon, or None until the act step


PRACTICE_TOPIC = "networks.practice"
COMMITMENT_TOPIC = "networks.commitment"


@event("org.improvenet.networks.network.formed", topic=NETWORK_TOPIC, subject="network_id")
class NetworkFormed(EventPayload):
    """Schools agreed to work together as a network (member school and district ids)."""

    network_id: UUID
    kind: str
    school_ids: list[UUID]
    district_ids: list[UUID]
    version: int


@event("org.improvenet.networks.member.joined", topic=NETWORK_TOPIC, subject="membership_id")
class MemberJoined(EventPayload):
    """An educator joined a network for their school, in a role."""

    membership_id: UUID
    network_id: UUID
    educator_id: UUID
    school_id: UUID
    role: str
    starts_on: date


@event("org.improvenet.networks.member.left", topic=NETWORK_TOPIC, subject="membership_id")
class MemberLeft(EventPayload):
    membership_id: UUID
    network_id: UUID
    educator_id: UUID
    ends_on: date


@event("org.improvenet.networks.practice.published", topic=PRACTICE_TOPIC, subject="practice_id")
class PracticePublished(EventPayload):
    """A practice was published to every tenant's library (it carries no personal data)."""

    practice_id: UUID
    origin_school_id: UUID
    network_id: UUID | None
    stage: str
    tags: list[str]


@event("org.improvenet.networks.practice.adopted", topic=PRACTICE_TOPIC, subject="practice_id")
class PracticeAdopted(EventPayload):
    """A school adopted a practice (perhaps another tenant's published one)."""

    adoption_id: UUID
    practice_id: UUID
    practice_tenant_id: str
    school_id: UUID
    network_id: UUID | None
    adopted_on: date


@event("org.improvenet.networks.commitment.made", topic=COMMITMENT_TOPIC, subject="commitment_id")
class CommitmentMade(EventPayload):
    """A member or a school committed to something, at a meeting or from a visit's debrief."""

    commitment_id: UUID
    school_id: UUID
    educator_id: UUID | None
    network_id: UUID | None
    meeting_id: UUID | None
    visit_id: UUID | None
    due_on: date
    horizon: str | None
    source: str


@event("org.improvenet.networks.commitment.fulfilled", topic=COMMITMENT_TOPIC, subject="commitment_id")
class CommitmentFulfilled(EventPayload):
    commitment_id: UUID
    school_id: UUID
    fulfilled_on: date


@event("org.improvenet.networks.commitment.went-overdue", topic=COMMITMENT_TOPIC, subject="commitment_id")
class CommitmentOverdue(EventPayload):
    """An open commitment passed its due date (lateral accountability: visible to the network)."""

    commitment_id: UUID
    school_id: UUID
    network_id: UUID | None
    due_on: date
