"""What hr tells the platform: payloads built from its records (ids and non-personal facts only)."""

from __future__ import annotations

from libs.contracts.base import EventPayload
from libs.contracts.hr import (
    CareerStage,
    DistrictRegistered,
    DistrictRemoved,
    DistrictUpdated,
    EducatorRegistered,
    EducatorRemoved,
    EducatorUpdated,
    SchoolRegistered,
    SchoolRemoved,
    SchoolUpdated,
)
from services.hr.models import District, Educator, School


def district_registered(d: District) -> EventPayload:
    return DistrictRegistered(district_id=d.id, name=d.name, version=d.version)


def district_updated(d: District) -> EventPayload:
    return DistrictUpdated(district_id=d.id, name=d.name, version=d.version)


def district_removed(d: District) -> EventPayload:
    return DistrictRemoved(district_id=d.id, version=d.version + 1)


def school_registered(s: School) -> EventPayload:
    return SchoolRegistered(school_id=s.id, district_id=s.district_id, name=s.name, version=s.version)


def school_updated(s: School) -> EventPayload:
    return SchoolUpdated(school_id=s.id, district_id=s.district_id, name=s.name, version=s.version)


def school_removed(s: School) -> EventPayload:
    return SchoolRemoved(school_id=s.id, version=s.version + 1)


def educator_registered(e: Educator) -> EventPayload:
    return EducatorRegistered(educator_id=e.id, school_id=e.school_id, career_stage=CareerStage(e.career_stage),
                              version=e.version)


def educator_updated(e: Educator) -> EventPayload:
    return EducatorUpdated(educator_id=e.id, school_id=e.school_id, career_stage=CareerStage(e.career_stage),
                           version=e.version)


def educator_removed(e: Educator) -> EventPayload:
    return EducatorRemoved(educator_id=e.id, version=e.version + 1)
