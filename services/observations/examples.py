"""The examples the API document shows (libs/common/openapi_examples.py): one round, told once.

A grade 4-5 mathematics round at a host school: a protocol with four look-fors (T1, S1, K1 and T2, the
practice the network wants to see less of), four observers in two sub-teams, two classrooms, descriptive
notes, one pattern statement, the prediction and the next level of work. The ids are the stable ones
every service's examples share (`example_id`), so the examples read together.
"""

from __future__ import annotations

from typing import Any

from libs.common.openapi_examples import example_id

SCHOOL = example_id("school_id")
NETWORK = example_id("network_id")
PROBLEM_OF_PRACTICE = example_id("problem_of_practice_id")
PROTOCOL = example_id("protocol_id")
PROTOCOL_VERSION = example_id("protocol_version_id")
VISIT = example_id("visit_id")
CLASSROOM, CLASSROOM_2 = example_id("classroom_id"), example_id("classroom_id_2")
RECORD, RECORD_2 = example_id("record_id"), example_id("record_id_2")
NOTE, NOTE_2 = example_id("note_id"), example_id("note_id_2")
PATTERN_STATEMENT = example_id("pattern_statement_id")
CALIBRATION = example_id("calibration_id")
QUALITY_INDEX = example_id("quality_index_id")
ITEM = example_id("item_id")
OWNER = example_id("educator_id")  # the host school's principal: networks' commitment keeps the item
FACILITATOR = example_id("facilitator_id")
OBSERVER, OBSERVER_2, OBSERVER_3 = example_id("observer_id"), example_id("observer_id_2"), example_id("observer_id_3")
OBSERVERS = [FACILITATOR, OBSERVER, OBSERVER_2, OBSERVER_3]

LOOK_FORS: list[Any] = [
    {"code": "T1", "description": "Teacher asks questions with more than one answer", "domain": "teacher",
     "weight": 1.0},
    {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students",
     "weight": 1.0},
    {"code": "K1", "description": "The task asks for a representation", "domain": "task", "weight": 1.0},
    {"code": "T2", "description": "Teacher demonstrates step by step", "domain": "teacher", "weight": -1.0},
]
LOOK_FOR_2: dict[str, Any] = {"code": "S2", "description": "Students compare two solution methods",
                              "domain": "students", "weight": 1.0}
PROTOCOL_VERSION_EXAMPLE: dict[str, Any] = {
    "id": PROTOCOL_VERSION, "protocol_id": PROTOCOL, "number": 1, "look_fors": LOOK_FORS,
    "created_at": "2026-09-08T15:00:00Z"}

PROBLEM_OF_PRACTICE_TEXT = "Students give answers but rarely explain how they know"
THEORY_OF_ACTION = ("If tasks ask for a representation and teachers ask how students know, then students will "
                    "explain their reasoning to each other")
FOCUSING_QUESTIONS = ["How do students show how they know?", "What do the tasks ask students to produce?"]
PREDICTION = ("A student who did everything asked would follow the steps of an algorithm to a correct answer, "
              "and would explain their reasoning when a task asked for a drawing or a number line")
STATEMENT = "In some classrooms students explained to each other why one fraction is larger than another"

NOTE_TEXT = "The teacher asked 'How do you know?' three times in ten minutes"
NOTE_TEXT_2 = "Students at table 2 explain to each other why 3/4 is more than 2/3"
NOTE_IN: dict[str, Any] = {"observed_at": "2026-11-24T14:05:00Z", "text": NOTE_TEXT, "look_for_codes": ["T1"],
                           "language": "en"}
NOTE_IN_2: dict[str, Any] = {"observed_at": "2026-11-24T14:12:00Z", "text": NOTE_TEXT_2,
                             "look_for_codes": ["S1", "K1"]}
NOTE_PUBLIC: dict[str, Any] = {
    "id": NOTE, "observed_at": "2026-11-24T14:05:00Z", "text": NOTE_TEXT, "look_for_codes": ["T1"],
    "language": "en", "descriptive": True, "verdict": "descriptive", "quotes": ["How do you know?"], "flags": [],
    "selected": False, "screening": None, "screening_reason": None}
NOTE_PUBLIC_2: dict[str, Any] = {
    "id": NOTE_2, "observed_at": "2026-11-24T14:12:00Z", "text": NOTE_TEXT_2, "look_for_codes": ["S1", "K1"],
    "language": "en", "descriptive": True, "verdict": "descriptive", "quotes": [], "flags": [],
    "selected": False, "screening": None, "screening_reason": None}

RECOMMENDATION: dict[str, Any] = {
    "recommendation": "Plan two fraction tasks per unit that ask for a drawing or a number line and a written "
                      "explanation",
    "owner_id": OWNER, "due_date": "2026-12-18", "horizon": "next_month", "level": "school",
    "follow_up": "The grade 4-5 team brings student work from both tasks to its January data meeting"}
