"""Ed-Fi Data Standard 5 staff, as the ODS/API returns its resources (pure rules).

The upload is one JSON object whose keys are the ODS/API resources hr reads, each an array of what that
resource's GET returns: `staffs`, `staffEducationOrganizationAssignmentAssociations`, and the education
organizations they refer to, either as `localEducationAgencies` and `schools` or mixed in one
`educationOrganizations` array (a record with `schoolId` is a school, one with `localEducationAgencyId` a
district). Fields hr does not use (`id`, `_etag`, `link`...) are ignored. A staff member is one educator
however many assignments they have: the school is that of their latest active school assignment (none when
every active assignment is at a local education agency), the classification the most senior of their active
assignments' (by the tenant's ladder).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from services.hr.imports.rules import EducatorRecord, Issue, Known, OrgRecord, Plan, is_email, parse_date

EDORGS, LEAS, SCHOOLS, STAFFS = "educationOrganizations", "localEducationAgencies", "schools", "staffs"
ASSIGNMENTS = "staffEducationOrganizationAssignmentAssociations"
RESOURCES = (EDORGS, LEAS, SCHOOLS, STAFFS, ASSIGNMENTS)
LEA_ID, SCHOOL_ID = "localEducationAgencyId", "schoolId"
Located = tuple[str, int, Any]  # (resource, 1-based position, record): where an issue in it is reported
UPLOAD = "(upload)"


def descriptor_code(value: str) -> str | None:
    """The codeValue of a descriptor URI (uri://ed-fi.org/StaffClassificationDescriptor#Teacher -> Teacher)."""
    namespace, sep, code = value.partition("#")
    return code if sep and namespace and code else None


def read(content: bytes) -> tuple[dict[str, list[Any]], list[Issue]]:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [Issue(UPLOAD, None, None, None, f"a JSON object ({exc})")]
    if not isinstance(body, dict):
        return {}, [Issue(UPLOAD, None, None, None, f"a JSON object with the arrays {', '.join(RESOURCES)}")]
    issues = [Issue(UPLOAD, None, key, key, f"one of {', '.join(RESOURCES)}") for key in body if key not in RESOURCES]
    resources: dict[str, list[Any]] = {}
    for key in RESOURCES:
        value = body.get(key, [])
        if not isinstance(value, list):
            issues.append(Issue(UPLOAD, None, key, None, "an array (what the ODS/API returns for the resource)"))
        else:
            resources[key] = value
    return resources, issues


class _Checker:
    """Issues of one record, each naming the resource, the record's position (1-based) and the field."""

    def __init__(self, resource: str, line: int, record: Any, issues: list[Issue]) -> None:
        self.resource, self.line, self.issues = resource, line, issues
        self.record = record if isinstance(record, dict) else {}
        self.ok = isinstance(record, dict)
        if not self.ok:
            issues.append(Issue(resource, line, None, None, "a JSON object"))

    def bad(self, column: str, value: Any, expected: str, *, personal: bool = False) -> None:
        self.ok = False
        self.issues.append(Issue(self.resource, self.line, column, None if value is None else str(value)[:200],
                                 expected, personal=personal))

    def get(self, path: str) -> Any:
        value: Any = self.record
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def text(self, path: str, *, required: bool = True, personal: bool = False) -> str | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                self.bad(path, None, "a value (required)")
            return None
        if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
            self.bad(path, value, "a string of at most 200 characters", personal=personal)
            return None
        return value.strip()

    def integer(self, path: str, *, required: bool = True) -> str | None:
        value = self.get(path)
        if value is None:
            if required:
                self.bad(path, None, "an integer identifier (required)")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.bad(path, value, "a non-negative integer identifier")
            return None
        return str(value)

    def day(self, path: str, *, required: bool) -> date | None:
        value = self.get(path)
        if value is None:
            if required:
                self.bad(path, None, "an ISO 8601 date, YYYY-MM-DD (required)")
            return None
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.bad(path, value, "an ISO 8601 date, YYYY-MM-DD")
        return parsed


def plan(resources: Mapping[str, list[Any]], known: Known, today: date,
         seniority: Callable[[str], int]) -> tuple[Plan, list[Issue]]:
    """`seniority(classification)`: the rank of the stage the tenant's ladder gives a classification."""
    result = Plan(match_orgs="ed_fi_id", match_educators="staff_unique_id",
                  files={k: {"rows": len(resources.get(k, []))} for k in RESOURCES})
    issues: list[Issue] = []
    lea_records, school_records = _organisations(resources, issues)
    leas = _leas(lea_records, result, issues)
    schools = _schools(school_records, leas | known.districts, result, issues)
    staff, present = _staffs(resources.get(STAFFS, []), result, issues)
    _assignments(resources.get(ASSIGNMENTS, []), staff, present | known.educators, leas | known.districts,
                 schools | known.schools, today, seniority, result, issues)
    result.rows_read = sum(len(resources.get(k, [])) for k in RESOURCES)
    return result, issues


def _unique(check: _Checker, key: str | None, seen: dict[str, int], column: str) -> bool:
    if key is None:
        return False
    if key in seen:
        check.bad(column, key, f"an identifier used once (also record {seen[key]})")
        return False
    seen[key] = check.line
    return True


def _organisations(resources: Mapping[str, list[Any]], issues: list[Issue]) -> tuple[list[Located], list[Located]]:
    """(local education agencies, schools), each record with where it is in the upload."""
    leas: list[Located] = [(LEAS, n, r) for n, r in enumerate(resources.get(LEAS, []), 1)]
    schools: list[Located] = [(SCHOOLS, n, r) for n, r in enumerate(resources.get(SCHOOLS, []), 1)]
    for n, record in enumerate(resources.get(EDORGS, []), 1):
        if isinstance(record, dict) and SCHOOL_ID in record:
            schools.append((EDORGS, n, record))
        elif isinstance(record, dict) and LEA_ID in record:
            leas.append((EDORGS, n, record))
        else:
            issues.append(Issue(EDORGS, n, None, None, f"a school ({SCHOOL_ID}) or a local education agency "
                                                       f"({LEA_ID}): the kinds of organisation hr holds"))
    return leas, schools


def references(resources: Mapping[str, list[Any]]) -> tuple[set[str], set[str]]:
    """(education organization ids, staffUniqueIds) the set points at: hr may already hold them."""
    def path(record: Any, *keys: str) -> str | None:
        for key in keys:
            record = record.get(key) if isinstance(record, dict) else None
        return None if record is None or isinstance(record, dict | list) else str(record)

    orgs = {path(r, "educationOrganizationReference", "educationOrganizationId")
            for r in resources.get(ASSIGNMENTS, [])}
    orgs |= {path(r, "localEducationAgencyReference", LEA_ID)
             for k in (SCHOOLS, EDORGS) for r in resources.get(k, [])}
    staff = {path(r, "staffReference", "staffUniqueId") for r in resources.get(ASSIGNMENTS, [])}
    return {o for o in orgs if o}, {s for s in staff if s}


def _leas(records: list[Located], result: Plan, issues: list[Issue]) -> set[str]:
    seen: dict[str, int] = {}
    for resource, n, record in records:
        check = _Checker(resource, n, record, issues)
        key = check.integer(LEA_ID)
        name = check.text("nameOfInstitution")
        if _unique(check, key, seen, LEA_ID) and check.ok and key and name:
            result.districts.append(OrgRecord(key, name, resource, n))
    return set(seen)


def _schools(records: list[Located], districts: set[str], result: Plan, issues: list[Issue]) -> set[str]:
    seen: dict[str, int] = {}
    for resource, n, record in records:
        check = _Checker(resource, n, record, issues)
        key = check.integer("schoolId")
        name = check.text("nameOfInstitution")
        parent = check.integer("localEducationAgencyReference.localEducationAgencyId", required=False)
        if parent is not None and parent not in districts:
            check.bad("localEducationAgencyReference.localEducationAgencyId", parent,
                      "the id of a local education agency in this set or one hr already holds")
        if _unique(check, key, seen, "schoolId") and check.ok and key and name:
            result.schools.append(OrgRecord(key, name, resource, n, parent=parent))
    return set(seen)


def _staffs(records: list[Any], result: Plan, issues: list[Issue]) -> tuple[dict[str, EducatorRecord], set[str]]:
    """(the valid staff by staffUniqueId, every staffUniqueId the set carries: a defective record's too, so
    its assignments are not reported as dangling on top of its own defect)."""
    seen: dict[str, int] = {}
    staff: dict[str, EducatorRecord] = {}
    for n, record in enumerate(records, 1):
        check = _Checker(STAFFS, n, record, issues)
        key = check.text("staffUniqueId")
        given = check.text("firstName", personal=True)
        family = check.text("lastSurname", personal=True)
        email = _email(check)
        if _unique(check, key, seen, "staffUniqueId") and check.ok and key and given and family:
            staff[key] = EducatorRecord(key, STAFFS, n, {"given_name": given, "family_name": family, "email": email})
    result.educators = list(staff.values())
    return staff, set(seen)


def _email(check: _Checker) -> str | None:
    mails = check.get("electronicMails")
    if mails is None:
        return None
    if not isinstance(mails, list) or not all(isinstance(m, dict) for m in mails):
        check.bad("electronicMails", None, "an array of {electronicMailAddress, electronicMailTypeDescriptor}")
        return None
    for i, mail in enumerate(mails):
        address = mail.get("electronicMailAddress")
        if not isinstance(address, str) or not is_email(address):
            check.bad(f"electronicMails[{i}].electronicMailAddress", address, "an e-mail address", personal=True)
            return None
    # The work address when there is one: hr is about people at work.
    work = [m for m in mails if "#Work" in str(m.get("electronicMailTypeDescriptor", ""))]
    return str((work or mails)[0]["electronicMailAddress"]) if mails else None


def _assignments(records: list[Any], staff: Mapping[str, EducatorRecord], people: set[str], districts: set[str],
                 schools: set[str], today: date, seniority: Callable[[str], int], result: Plan,
                 issues: list[Issue]) -> None:
    seen: dict[tuple[str, ...], int] = {}
    active: dict[str, list[tuple[date, str, str, str | None]]] = {}
    for n, record in enumerate(records, 1):
        check = _Checker(ASSIGNMENTS, n, record, issues)
        person = check.text("staffReference.staffUniqueId")
        org = check.integer("educationOrganizationReference.educationOrganizationId")
        descriptor = check.text("staffClassificationDescriptor")
        begin = check.day("beginDate", required=True)
        end = check.day("endDate", required=False)
        title = check.text("positionTitle", required=False)
        code = descriptor_code(descriptor) if descriptor else None
        if descriptor and code is None:
            check.bad("staffClassificationDescriptor", descriptor,
                      "a descriptor URI, namespace#codeValue (uri://ed-fi.org/StaffClassificationDescriptor#Teacher)")
        if person is not None and person not in people:
            check.bad("staffReference.staffUniqueId", person, f"the staffUniqueId of a staff in {STAFFS} or an "
                      "educator hr already holds")
        if org is not None and org not in schools and org not in districts:
            check.bad("educationOrganizationReference.educationOrganizationId", org,
                      "the id of a school or local education agency in this set or one hr already holds")
        if begin and end and end < begin:
            check.bad("endDate", check.get("endDate"), f"a date on or after {begin.isoformat()}")
        natural = (person or "", org or "", descriptor or "", str(begin))
        if check.ok and natural in seen:
            check.bad("beginDate", check.get("beginDate"),
                      f"one assignment per staff, organisation, classification and date (also record {seen[natural]})")
        seen.setdefault(natural, n)
        if check.ok and person and org and code and begin and (end is None or end >= today):
            active.setdefault(person, []).append((begin, org, code, title))
    for person, assignments in active.items():
        record = staff.get(person)
        if record is None:  # an educator hr holds, with no staff record in this set: the assignment only
            record = EducatorRecord(person, ASSIGNMENTS, 0, {})
            result.educators.append(record)
        at_schools = sorted((a for a in assignments if a[1] in schools), key=lambda a: a[0], reverse=True)
        senior = max(assignments, key=lambda a: (seniority(a[2]), a[0]))
        record.org, record.has_org = (at_schools[0][1] if at_schools else None), True
        record.fields |= {"staff_classification": senior[2],
                          "position": (at_schools[0] if at_schools else senior)[3] or senior[2]}
