"""The examples hr's bodies show in the API document (libs/common/openapi_examples.py), told once.

One district and two of its schools; at the first, a novice grade 4 teacher (Amara Okafor) and her mentor;
at the second, an assistant principal (Tomas Lindqvist) in a principal residency at the first school, ready
now to succeed his own school's principal; and a tenant ladder whose own stage codes (lead_teacher,
assistant_principal) sit in the platform's bands. The ids are the stable ones every service's examples share
(`example_id`), so the examples read together. All names are fictional.
"""

from __future__ import annotations

from typing import Any

from libs.common.openapi_examples import example_id

DISTRICT = example_id("district_id")
SCHOOL = example_id("school_id")
SCHOOL_2 = example_id("school_id_2")
EDUCATOR = example_id("educator_id")  # the novice teacher
MENTOR = example_id("mentor_id")
APPROVER = example_id("approver_id")
RESIDENT = example_id("resident_id")  # Tomas Lindqvist, assistant principal at the second school
SUPERVISOR = example_id("supervisor_id")  # the principal of the school the residency is in
POST = example_id("post_id")
POSTING = example_id("posting_id")
NETWORK = example_id("network_id")

DISTRICT_NAME = "Eastside Unified School District"
SCHOOL_NAME = "Alder Creek Elementary School"
SCHOOL_2_NAME = "Birch Hollow Elementary School"
STAFF_UNIQUE_ID = "E-204817"
DATE_TIME = "2026-09-14T08:30:00Z"

DISTRICT_CREATE: dict[str, Any] = {"name": DISTRICT_NAME, "ed_fi_id": "255901", "sourced_id": "d-eastside"}
SCHOOL_CREATE: dict[str, Any] = {"name": SCHOOL_NAME, "district_id": DISTRICT, "ed_fi_id": "255901107",
                                 "sourced_id": "s-alder-creek"}
SCHOOL_2_CREATE: dict[str, Any] = {"name": SCHOOL_2_NAME, "district_id": DISTRICT, "ed_fi_id": "255901112",
                                   "sourced_id": "s-birch-hollow"}
EDUCATOR_CREATE: dict[str, Any] = {
    "given_name": "Amara", "family_name": "Okafor", "email": "a.okafor@example.org", "school_id": SCHOOL,
    "position": "Grade 4 teacher", "career_stage": "novice_teacher", "staff_unique_id": STAFF_UNIQUE_ID,
    "sourced_id": "t-3f9a21"}

# A tenant's ladder: the platform's bands, two stages under codes of the tenant's own.
LADDER: dict[str, Any] = {
    "stages": [
        {"code": "applicant", "name": "Applicant", "career_stage": "applicant"},
        {"code": "novice_teacher", "name": "Novice teacher (years 1-2)", "career_stage": "novice_teacher"},
        {"code": "intermediate_teacher", "name": "Career teacher", "career_stage": "intermediate_teacher"},
        {"code": "lead_teacher", "name": "Lead teacher", "career_stage": "teacher_leader"},
        {"code": "assistant_principal", "name": "Assistant principal (residency)",
         "career_stage": "principal_resident"},
        {"code": "principal", "name": "Principal", "career_stage": "principal"},
    ],
    "transitions": [
        {"from_stage": "applicant", "to_stage": "novice_teacher", "criteria": ["hired"]},
        {"from_stage": "novice_teacher", "to_stage": "intermediate_teacher",
         "criteria": ["induction completed", "mentor recommendation"]},
        {"from_stage": "intermediate_teacher", "to_stage": "lead_teacher",
         "criteria": ["leads colleagues' learning", "supervisor recommendation"]},
        {"from_stage": "lead_teacher", "to_stage": "assistant_principal",
         "criteria": ["leadership potential", "admitted to residency"]},
        {"from_stage": "assistant_principal", "to_stage": "principal", "criteria": ["residency completed", "licensed"]},
    ],
    "default_stage": "novice_teacher",
    "classifications": {"Teacher": "novice_teacher", "Instructional Coordinator": "lead_teacher",
                        "Assistant Principal": "assistant_principal", "Principal": "principal"},
    "mentor_capacity": 3,
    "mentoring_grace_days": 30,
}
