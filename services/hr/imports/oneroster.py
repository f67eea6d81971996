"""OneRoster 1.2 CSV binding (1EdTech): a zip of manifest.csv and the files it declares (pure rules).

`read` opens the zip and checks the manifest and every header; `references` names the external ids the
set points at that it does not carry (the service looks them up in hr); `plan` checks every row and, for a
set without a single issue, returns what to write. hr reads orgs (districts and schools), users with their
roles (staff become educators; students and other non-staff are ignored and nothing of their rows is kept)
and academicSessions (checked, not stored); the other files a manifest may declare are accepted unread.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from difflib import get_close_matches
from typing import Literal

from services.hr.imports.rules import (
    EducatorRecord,
    Issue,
    Known,
    OrgRecord,
    Plan,
    Removal,
    did_you_mean,
    is_email,
    parse_date,
    parse_datetime,
)

Mode = Literal["bulk", "delta", "absent"]
MANIFEST = "manifest.csv"
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb stops here

# Every file the 1.2 CSV manifest may declare (file.<name>); hr reads the first four.
READ_FILES = ("orgs", "users", "roles", "academicSessions")
OTHER_FILES = ("categories", "classes", "classResources", "courses", "courseResources", "demographics",
               "enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales", "resources",
               "resultLearningObjectiveIds", "results", "resultScoreScales", "scoreScales", "userProfiles",
               "userResources")
MANIFEST_PROPERTIES = ("manifest.version", "oneroster.version", "source.systemName", "source.systemCode")

STATUS = ("active", "tobedeleted")
ORG_TYPES = ("department", "district", "local", "national", "school", "state")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
ROLE_TYPES = ("primary", "secondary")
ROLES = ("aide", "counselor", "districtAdministrator", "guardian", "parent", "principal", "proctor", "relative",
         "siteAdministrator", "student", "systemAdministrator", "teacher")
BOOLEAN = ("true", "false")

# The roles that make a user an educator in hr, and the Ed-Fi StaffClassificationDescriptor each stands for
# by default: the tenant's ladder maps that to a stage (`classifications`), and a ladder key
# "oneroster:<role>" overrides the default for that role.
STAFF_ROLES: dict[str, str] = {
    "teacher": "Teacher", "aide": "Instructional Aide", "counselor": "Counselor", "principal": "Principal",
    "siteAdministrator": "Assistant Principal", "districtAdministrator": "LEA Administrator",
    "systemAdministrator": "LEA System Administrator",
}


@dataclass(frozen=True)
class Column:
    required: bool = False  # the header must have it and every row a value
    kind: Literal["text", "enum", "date", "datetime", "year", "email"] = "text"
    allowed: tuple[str, ...] = ()
    personal: bool = False
    extensible: bool = False  # the 1.2 enumerations a source may extend with "ext:..." values


def _common() -> dict[str, Column]:
    return {"sourcedId": Column(required=True), "status": Column(kind="enum", allowed=STATUS),
            "dateLastModified": Column(kind="datetime")}


P = Column(personal=True)
COLUMNS: dict[str, dict[str, Column]] = {
    "orgs": {**_common(), "name": Column(required=True), "type": Column(required=True, kind="enum", allowed=ORG_TYPES,
                                                                  extensible=True),
             "identifier": Column(), "parentSourcedId": Column()},
    "users": {**_common(), "enabledUser": Column(required=True, kind="enum", allowed=BOOLEAN),
              "username": Column(required=True, personal=True), "userIds": P,
              "givenName": Column(required=True, personal=True), "familyName": Column(required=True, personal=True),
              "middleName": P, "identifier": P, "email": Column(kind="email", personal=True), "sms": P, "phone": P,
              "agentSourcedIds": Column(), "grades": Column(), "password": P, "userMasterIdentifier": P,
              "resourceSourcedIds": Column(), "preferredGivenName": P, "preferredMiddleName": P,
              "preferredFamilyName": P, "primaryOrgSourcedId": Column(), "pronouns": P},
    "roles": {**_common(), "userSourcedId": Column(required=True),
              "roleType": Column(required=True, kind="enum", allowed=ROLE_TYPES),
              "role": Column(required=True, kind="enum", allowed=ROLES, extensible=True),
              "beginDate": Column(kind="date"),
              "endDate": Column(kind="date"), "orgSourcedId": Column(required=True), "userProfileSourcedId": Column()},
    "academicSessions": {**_common(), "title": Column(required=True),
                         "type": Column(required=True, kind="enum", allowed=SESSION_TYPES, extensible=True),
                         "startDate": Column(required=True, kind="date"), "endDate": Column(required=True, kind="date"),
                         "parentSourcedId": Column(), "schoolYear": Column(required=True, kind="year")},
}


@dataclass
class Table:
    """One CSV file: its mode, header and rows (each with its line number)."""

    name: str
    mode: Mode
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


@dataclass
class RosterSet:
    tables: dict[str, Table] = field(default_factory=dict)
    declared: dict[str, Mode] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)


# --- reading: the zip, the manifest, the headers ---------------------------------------------------------

def read(content: bytes) -> tuple[RosterSet, list[Issue]]:
    """The set as declared by its manifest, and every issue found before looking at rows."""
    issues: list[Issue] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return RosterSet(), [Issue("(upload)", None, None, None, "a zip archive of OneRoster 1.2 CSV files")]
    with archive:
        members = {info.filename.rsplit("/", 1)[-1]: info for info in archive.infolist() if not info.is_dir()}
        if sum(i.file_size for i in members.values()) > MAX_UNCOMPRESSED:
            return RosterSet(), [Issue("(upload)", None, None, None,
                                       f"at most {MAX_UNCOMPRESSED} bytes uncompressed")]
        if MANIFEST not in members:
            return RosterSet(), [Issue(MANIFEST, None, None, None, "a manifest.csv at the root of the zip")]
        texts: dict[str, str] = {}
        for name, info in members.items():
            try:
                texts[name] = archive.read(info).decode("utf-8-sig")
            except UnicodeDecodeError:
                issues.append(Issue(name, None, None, None, "a file encoded in UTF-8"))
    if MANIFEST not in texts:
        return RosterSet(), issues
    roster = RosterSet(declared=_manifest(texts[MANIFEST], issues))
    for name, mode in roster.declared.items():
        file = f"{name}.csv"
        if mode == "absent":
            if file in texts:
                issues.append(Issue(MANIFEST, None, f"file.{name}", mode,
                                    f"bulk or delta: the zip holds {file}"))
            continue
        if file not in texts and file not in {i.file for i in issues}:
            issues.append(Issue(file, None, None, None, f"{file} in the zip (the manifest declares it {mode})"))
            continue
        if name in COLUMNS and file in texts:
            roster.tables[name] = _table(name, mode, texts[file], issues)
    for file in sorted(texts):
        stem = file.removesuffix(".csv")
        if file != MANIFEST and file.endswith(".csv") and stem not in roster.declared:
            issues.append(Issue(file, None, None, None, f"a file the manifest declares (file.{stem})"))
    if "users" in roster.tables and roster.declared.get("roles", "absent") == "absent" \
            and roster.tables["users"].mode == "bulk":
        issues.append(Issue(MANIFEST, None, "file.roles", "absent",
                            "bulk or delta: users in bulk are read with their roles (roles.csv)"))
    return roster, issues


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, row


def _manifest(text: str, issues: list[Issue]) -> dict[str, Mode]:
    declared: dict[str, Mode] = {}
    known = [f"file.{n}" for n in (*READ_FILES, *OTHER_FILES)] + list(MANIFEST_PROPERTIES)
    rows = iter(_rows(text))
    header = next(rows, (1, []))[1]
    if [h.strip() for h in header] != ["propertyName", "value"]:
        issues.append(Issue(MANIFEST, 1, None, ",".join(header), "the header propertyName,value"))
        return declared
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            issues.append(Issue(MANIFEST, line, None, None, "2 fields: propertyName,value"))
            continue
        prop, value = row[0].strip(), row[1].strip()
        if prop not in known:
            issues.append(Issue(MANIFEST, line, "propertyName", prop,
                                f"a OneRoster 1.2 manifest property{did_you_mean(prop, known)}"))
        elif prop == "oneroster.version" and value != "1.2":
            issues.append(Issue(MANIFEST, line, "value", value, "1.2 (the version hr reads)"))
        elif prop.startswith("file."):
            if value not in ("bulk", "delta", "absent"):
                issues.append(Issue(MANIFEST, line, "value", value, "one of bulk, delta, absent"))
            else:
                declared[prop.removeprefix("file.")] = value  # type: ignore[assignment]
    return declared


def _table(name: str, mode: Mode, text: str, issues: list[Issue]) -> Table:
    file = f"{name}.csv"
    columns = COLUMNS[name]
    rows = iter(_rows(text))
    header = [h.strip() for h in next(rows, (1, []))[1]]
    table = Table(name, mode, header)
    bad = False
    seen: set[str] = set()
    meant: set[str] = set()  # columns a misspelt header stands for: reported once, as the typo
    for column in header:
        if column in seen:
            issues.append(Issue(file, 1, column, column, "each column once"))
            bad = True
        seen.add(column)
        if column not in columns and not column.startswith("metadata."):
            close = get_close_matches(column, [c for c in columns if c not in header], n=1, cutoff=0.6)
            meant |= set(close)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            issues.append(Issue(file, 1, column, column, f"a OneRoster 1.2 column of {file}{hint}"))
            bad = True
    for column, spec in columns.items():
        if spec.required and column not in seen and column not in meant:
            issues.append(Issue(file, 1, column, None, f"a column named {column}"))
            bad = True
    if bad:
        return table  # rows of a file whose columns are unknown cannot be read reliably
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            issues.append(Issue(file, line, None, None, f"{len(header)} fields, as the header has"))
            continue
        table.rows.append((line, {h: cell.strip() for h, cell in zip(header, row, strict=True)}))
    return table


# --- the ids a set points at without carrying ------------------------------------------------------------

def references(roster: RosterSet) -> tuple[set[str], set[str]]:
    """(org sourcedIds, user sourcedIds) the set names but does not carry: hr may already hold them."""
    orgs = {r["sourcedId"] for t in _present(roster, "orgs") for _, r in t.rows}
    users = {r["sourcedId"] for t in _present(roster, "users") for _, r in t.rows}
    wanted_orgs = {r.get("parentSourcedId", "") for t in _present(roster, "orgs") for _, r in t.rows}
    wanted_orgs |= {r.get("orgSourcedId", "") for t in _present(roster, "roles") for _, r in t.rows}
    wanted_users = {r.get("userSourcedId", "") for t in _present(roster, "roles") for _, r in t.rows}
    wanted_users |= users  # a delta users row of someone hr holds, whose roles are not in this set
    return {o for o in wanted_orgs - orgs if o}, {u for u in wanted_users if u}


def _present(roster: RosterSet, name: str) -> list[Table]:
    table = roster.table(name)
    return [table] if table is not None else []


# --- rows ------------------------------------------------------------------------------------------------

def _cell_issues(table: Table, line: int, row: Mapping[str, str], *, personal_ok: bool = True) -> list[Issue]:
    """A row's values against its file's columns and its mode (status, dateLastModified)."""
    issues: list[Issue] = []
    file = table.file
    for column, spec in COLUMNS[table.name].items():
        value = row.get(column, "")
        shown = value if personal_ok or not spec.personal else None
        if value == "":
            if spec.required:
                issues.append(Issue(file, line, column, None, "a value (the column is required)"))
            continue
        if spec.kind == "enum" and value not in spec.allowed and not (spec.extensible and value.startswith("ext:")):
            issues.append(Issue(file, line, column, shown,
                                f"one of {', '.join(spec.allowed)}" + (" (or ext:...)" if spec.extensible else "")))
        elif spec.kind == "date" and parse_date(value) is None:
            issues.append(Issue(file, line, column, shown, "an ISO 8601 date, YYYY-MM-DD"))
        elif spec.kind == "datetime" and parse_datetime(value) is None:
            issues.append(Issue(file, line, column, shown,
                                "an ISO 8601 date-time with its offset, e.g. 2026-09-01T12:00:00.000Z"))
        elif spec.kind == "year" and not (len(value) == 4 and value.isdigit()):
            issues.append(Issue(file, line, column, shown, "a year, YYYY"))
        elif spec.kind == "email" and not is_email(value):
            issues.append(Issue(file, line, column, shown, "an e-mail address", personal=spec.personal))
    issues += _mode_issues(table, line, row)
    return issues


def _mode_issues(table: Table, line: int, row: Mapping[str, str]) -> list[Issue]:
    status, modified = row.get("status", ""), row.get("dateLastModified", "")
    if table.mode == "bulk" and status == "tobedeleted":
        return [Issue(table.file, line, "status", status,
                      "blank or active: a bulk file is the whole set (removals go in a delta file)")]
    if table.mode == "delta":
        found = []
        if status == "":
            found.append(Issue(table.file, line, "status", None, "active or tobedeleted (required in delta mode)"))
        if modified == "":
            found.append(Issue(table.file, line, "dateLastModified", None,
                               "an ISO 8601 date-time (required in delta mode)"))
        return found
    return []


def _duplicates(table: Table) -> list[Issue]:
    seen: dict[str, int] = {}
    issues = []
    for line, row in table.rows:
        key = row["sourcedId"]
        if key and key in seen:
            issues.append(Issue(table.file, line, "sourcedId", key, f"a sourcedId used once (also line {seen[key]})"))
        seen.setdefault(key, line)
    return issues


def _modified(row: Mapping[str, str]) -> datetime | None:
    return parse_datetime(row["dateLastModified"]) if row.get("dateLastModified") else None


def classification_for(role: str, classifications: Mapping[str, str]) -> str:
    """The classification a role loads as: the ladder's "oneroster:<role>" key if the tenant set one."""
    override = f"oneroster:{role}"
    return override if override in classifications else STAFF_ROLES.get(role, role)


def plan(roster: RosterSet, known: Known, classifications: Mapping[str, str]) -> tuple[Plan, list[Issue]]:
    """Every row checked; the plan is meant to be applied only when the issues are none."""
    result = Plan(match_orgs="sourced_id", match_educators="sourced_id",
                  files={t.file: {"mode": t.mode, "rows": len(t.rows)} for t in roster.tables.values()})
    result.files.update({f"{n}.csv": {"mode": m, "rows": None, "read": False}
                         for n, m in roster.declared.items() if n not in roster.tables and m != "absent"})
    issues: list[Issue] = []
    org_types = _orgs(roster, known, result, issues)
    _sessions(roster, result, issues)
    staff = _roles(roster, known, org_types, classifications, result, issues)
    _users(roster, known, staff, result, issues)
    result.rows_read = sum(len(t.rows) for t in roster.tables.values())
    return result, issues


def _orgs(roster: RosterSet, known: Known, result: Plan, issues: list[Issue]) -> dict[str, str]:
    """Districts and schools to write; returns every org's type by sourcedId (hr's own too)."""
    types = {k: "district" for k in known.districts} | {k: "school" for k in known.schools}
    table = roster.table("orgs")
    if table is None:
        return types
    issues += _duplicates(table)
    types |= {r["sourcedId"]: r["type"] for _, r in table.rows}
    for line, row in table.rows:
        found = _cell_issues(table, line, row)
        parent = row.get("parentSourcedId") or None
        # A removal's references are not followed: what it points at may already be gone.
        if parent is not None and parent not in types and row.get("status") != "tobedeleted":
            found.append(Issue(table.file, line, "parentSourcedId", parent,
                               "the sourcedId of an org in orgs.csv or one hr already holds"))
        issues += found
        if found or row["type"] not in ("district", "school"):
            result.ignored += not found
            continue
        if row.get("status") == "tobedeleted":
            removal = Removal(row["sourcedId"], table.file, line, _modified(row))
            (result.remove_districts if row["type"] == "district" else result.remove_schools).append(removal)
            continue
        record = OrgRecord(row["sourcedId"], row["name"], table.file, line, modified=_modified(row),
                           parent=parent if parent is not None and types.get(parent) == "district" else None)
        (result.districts if row["type"] == "district" else result.schools).append(record)
    return types


def _sessions(roster: RosterSet, result: Plan, issues: list[Issue]) -> None:
    """Academic sessions are checked (dates, types, parents) and accepted, not stored: hr has no terms."""
    table = roster.table("academicSessions")
    if table is None:
        return
    issues += _duplicates(table)
    ids = {r["sourcedId"] for _, r in table.rows}
    for line, row in table.rows:
        found = _cell_issues(table, line, row)
        parent = row.get("parentSourcedId") or None
        if parent is not None and parent not in ids:
            found.append(Issue(table.file, line, "parentSourcedId", parent,
                               "the sourcedId of a session in academicSessions.csv"))
        start, end = parse_date(row.get("startDate", "")), parse_date(row.get("endDate", ""))
        if start and end and end < start:
            found.append(Issue(table.file, line, "endDate", row["endDate"], f"a date on or after {row['startDate']}"))
        issues += found
        result.ignored += not found


@dataclass
class StaffRole:
    role: str
    org: str
    primary: bool
    line: int


def _roles(roster: RosterSet, known: Known, org_types: Mapping[str, str], classifications: Mapping[str, str],
           result: Plan, issues: list[Issue]) -> dict[str, tuple[str, str | None, str]]:
    """user sourcedId -> (role, org sourcedId, classification) of the primary staff role, for staff only.

    A user all of whose roles are non-staff (student, parent, guardian, relative, proctor) is not staff: hr
    ignores the user and keeps nothing of the row (an issue in it is reported with its line only).
    """
    table = roster.table("roles")
    if table is None:
        return {}
    users_table = roster.table("users")
    users = {r["sourcedId"] for _, r in users_table.rows} if users_table else set()
    issues += _duplicates(table)
    by_user: dict[str, list[StaffRole]] = {}
    for line, row in table.rows:
        staff_role = row.get("role", "") in STAFF_ROLES or (row.get("role", "").startswith("ext:")
                                                             and f"oneroster:{row['role']}" in classifications)
        found = _cell_issues(table, line, row)
        if not staff_role and row.get("role") in ROLES:
            # A student's role: only what is wrong with the row's shape, never its values.
            issues += [Issue(i.file, i.line, i.column, None, i.expected) for i in found]
            result.ignored += not found
            continue
        user, org = row.get("userSourcedId", ""), row.get("orgSourcedId", "")
        if row.get("status") == "tobedeleted":
            user = org = ""  # a removal's references are not followed: what it points at may be gone
        if user and user not in users and user not in known.educators:
            found.append(Issue(table.file, line, "userSourcedId", user,
                               "the sourcedId of a user in users.csv or an educator hr already holds"))
        if org and org not in org_types:
            found.append(Issue(table.file, line, "orgSourcedId", org,
                               "the sourcedId of an org in orgs.csv or one hr already holds"))
        issues += found
        if found or row.get("status") == "tobedeleted" or not staff_role:
            result.ignored += not found
            continue
        by_user.setdefault(user, []).append(StaffRole(row["role"], org, row["roleType"] == "primary", line))
    chosen: dict[str, tuple[str, str | None, str]] = {}
    for user, roles in by_user.items():
        first = next((r for r in roles if r.primary), roles[0])
        chosen[user] = (first.role, first.org, classification_for(first.role, classifications))
    return chosen


def _users(roster: RosterSet, known: Known, staff: Mapping[str, tuple[str, str | None, str]], result: Plan,
           issues: list[Issue]) -> None:
    table = roster.table("users")
    roles = roster.table("roles")
    # An educator hr holds stays one on a users row of a delta set that carries no staff role for them,
    # unless the set gives them a role that is not staff (a teacher who became a guardian only is not).
    not_staff = {r.get("userSourcedId", "") for _, r in (roles.rows if roles else [])
                 if r.get("status") != "tobedeleted" and r.get("role") in ROLES and r.get("role") not in STAFF_ROLES}
    in_users = {r["sourcedId"] for _, r in table.rows} if table is not None else set()
    for user, (role, org, classification) in staff.items():
        if user not in in_users:
            # A role of an educator hr holds, in a delta set without their users row: the role only.
            result.educators.append(EducatorRecord(user, "roles.csv", 0, {"position": role,
                                                                          "staff_classification": classification},
                                                   org=org, has_org=True))
    if table is None:
        return
    issues += _duplicates(table)
    for line, row in table.rows:
        user = row["sourcedId"]
        if row.get("status") == "tobedeleted" and row.get("sourcedId"):
            # Whoever it is (a student hr never held is simply not found), hr removes its educator.
            found = _mode_issues(table, line, row) + _date_issue(table, line, row)
            issues += found
            if not found:
                result.remove_educators.append(Removal(user, table.file, line, _modified(row)))
            continue
        is_staff = user in staff or (user in known.educators and user not in not_staff)
        if not is_staff:
            # Not staff (or no longer): ignored, and nothing of the row is kept, even in the report.
            found = _cell_issues(table, line, row, personal_ok=False)
            issues += [Issue(i.file, i.line, i.column, None, i.expected) for i in found]
            result.ignored += not found
            continue
        found = [_personal(i) for i in _cell_issues(table, line, row)]
        issues += found
        if found:
            continue
        fields = {"given_name": row.get("preferredGivenName") or row["givenName"],
                  "family_name": row.get("preferredFamilyName") or row["familyName"],
                  "email": row.get("email") or None}
        record = EducatorRecord(user, table.file, line, fields, modified=_modified(row))
        if user in staff:
            role, org, classification = staff[user]
            record.fields |= {"position": role, "staff_classification": classification}
            record.org, record.has_org = org, True
        result.educators.append(record)


def _date_issue(table: Table, line: int, row: Mapping[str, str]) -> list[Issue]:
    value = row.get("dateLastModified", "")
    if value and parse_datetime(value) is None:
        return [Issue(table.file, line, "dateLastModified", value,
                      "an ISO 8601 date-time with its offset, e.g. 2026-09-01T12:00:00.000Z")]
    return []


def _personal(issue: Issue) -> Issue:
    spec = COLUMNS["users"].get(issue.column or "")
    if spec is not None and spec.personal and not issue.personal:
        return Issue(issue.file, issue.line, issue.column, issue.value, issue.expected, personal=True)
    return issue
