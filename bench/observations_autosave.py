"""W3: observers autosaving their notes during a round, through the gateway.

50 observers (two visits of 26, the most a visit takes is 30), each with a draft record in one of five
classrooms, autosave the record's notes over and over: `PATCH /observations/records/{id}` with the
record's current ETag in `If-Match`, as the web console does every few seconds. wrk drives it; its
script keeps each record's latest ETag (read from the response) and never sends two saves of one record
at once, so a stale save (412) would mean the platform lost a version, and is counted as an error.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from improvenet.demo import LOOK_FORS
from improvenet.launcher import Platform

OBSERVERS = 50
THREADS = 2
# wrk calls request() once in its first thread to check the script, and that record is never sent; one
# spare record per thread keeps every one of the 50 connections saving.
RECORDS = OBSERVERS + THREADS
PER_VISIT = RECORDS // 2
ROOMS = 5
NOTES = [  # a record part-way through a 20-minute visit: eight descriptive notes
    ("Teacher asks: 'Who solved it another way?' and waits", ["T1"]),
    ("Students at table 2 explain to each other why 3/4 is more than 2/3", ["S1", "K1"]),
    ("Two students draw fraction strips and compare them aloud", ["S1", "K1"]),
    ("Task card asks for a number line and a drawing", ["K1"]),
    ("Teacher writes two answers on the board and asks which is right", ["T1"]),
    ("Students place 1/2 and 2/4 on a number line", ["K1"]),
    ("A student says '2/4 is the same because you cut each half in two'", ["S1"]),
    ("Anchor chart of equivalent fractions on the back wall", ["E1"]),
]

LUA = r"""
-- Each wrk thread owns its share of the records and a FIFO of those with no save in flight.
local threads = {}
function setup(thread)
  thread:set("slot", #threads)
  table.insert(threads, thread)
end

function init(args)
  idle = {}
  for i, r in ipairs(RECORDS) do
    if (i - 1) % THREADS == slot then table.insert(idle, {id = r[1], etag = r[2]}) end
  end
  byid = {}
  for _, r in ipairs(idle) do byid[r.id] = r end
  lost = 0
end

function request()
  local r = table.remove(idle, 1)
  if r == nil then  -- a save that never came back (it would be a bug of this script): counted, not hidden
    lost = lost + 1
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("PATCH", PREFIX .. r.id, {["If-Match"] = r.etag, ["Authorization"] = AUTH,
                    ["Content-Type"] = "application/json"}, BODY)
end

function response(status, headers, body)
  local id = string.match(body, '^{"id":"([0-9a-f-]+)"')
  local r = id and byid[id]
  if r == nil then return end
  if status == 200 then r.etag = headers["etag"] or headers["ETag"] or r.etag end
  table.insert(idle, r)
end

function done(summary, latency, requests)
  local lost = 0
  for _, t in ipairs(threads) do lost = lost + t:get("lost") end
  io.write(string.format("lost saves: %d\n", lost))
end
"""


def _setup(platform: Platform, headers: dict[str, str]) -> list[tuple[str, str]]:
    """Two visits in progress with 25 observers each, one draft record per observer: (record id, ETag)."""
    api = f"{platform.gateway_url}/api/v1"
    with httpx.Client(headers=headers, timeout=60) as c:
        def ok(method: str, path: str, body: Any = None, etag: str | None = None) -> httpx.Response:
            r = c.request(method, f"{api}{path}", json=body, headers={"If-Match": etag} if etag else {})
            assert r.is_success, f"{method} {path}: {r.status_code} {r.text}"
            return r

        school = ok("POST", "/hr/schools", {"name": "W3 Autosave Elementary"}).json()["id"]
        people = [ok("POST", "/hr/educators", {"given_name": f"W3-{i}", "family_name": "Observer",
                                               "school_id": school}).json()["id"] for i in range(RECORDS + ROOMS)]
        deadline = time.monotonic() + 60
        while c.get(f"{api}/observations/directory/educators/{people[-1]}").status_code != 200:
            assert time.monotonic() < deadline, "observations never learnt of the observers"
            time.sleep(0.2)
        protocol = ok("POST", "/observations/protocols", {"name": "W3 rounds", "look_fors": LOOK_FORS}).json()
        observers, teachers = people[:RECORDS], people[RECORDS:]
        records = []
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
        notes = [{"observed_at": (start + timedelta(minutes=2 * n)).isoformat(), "text": text, "look_for_codes": codes,
                  "language": "en"} for n, (text, codes) in enumerate(NOTES[:2])]
        for v in range(0, RECORDS, PER_VISIT):
            team = observers[v:v + PER_VISIT]
            visit = ok("POST", "/observations/visits", {
                "school_id": school, "visit_date": date.today().isoformat(),
                "protocol_version_id": protocol["versions"][0]["id"],
                "problem_of_practice": "Students give answers but rarely explain how they know.",
                "observer_ids": team,
                "classrooms": [{"grade": "4", "subject": "math", "room": f"{v}-{r}", "teacher_id": teachers[r]}
                               for r in range(ROOMS)]}).json()
            etag = ok("GET", f"/observations/visits/{visit['id']}").headers["etag"]
            ok("POST", f"/observations/visits/{visit['id']}/transitions", {"to": "in_progress"}, etag)
            for i, observer in enumerate(team):
                r = ok("POST", f"/observations/visits/{visit['id']}/records", {
                    "classroom_id": visit["classrooms"][i % ROOMS]["id"], "observer_id": observer, "notes": notes})
                records.append((r.json()["id"], r.headers["etag"]))
    return records


def _body() -> str:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    return json.dumps({"notes": [{"observed_at": (start + timedelta(minutes=2 * n)).isoformat(), "text": text,
                                  "look_for_codes": codes, "language": "en"}
                                 for n, (text, codes) in enumerate(NOTES)]})


def autosave_load(platform: Platform, headers: dict[str, str], seconds: int = 15) -> dict[str, Any]:
    """Set up the round, then 50 connections autosave for `seconds`; wrk's figures plus stale saves."""
    records = _setup(platform, headers)
    lua = (f"RECORDS = {{{', '.join(f'{{{json.dumps(i)}, {json.dumps(e)}}}' for i, e in records)}}}\n"
           f"THREADS = {THREADS}\nPREFIX = {json.dumps('/api/v1/observations/records/')}\n"
           f"AUTH = {json.dumps(headers['Authorization'])}\nBODY = {json.dumps(_body())}\n" + LUA
           )
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(lua)
    try:
        out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{OBSERVERS}", f"-d{seconds}s", "--timeout", "30s",
                              "--latency", "-s", str(script), platform.gateway_url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        script.unlink()
    return parse(out)


def parse(out: str) -> dict[str, Any]:
    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else float("nan")

    rps = float(m.group(1)) if (m := re.search(r"Requests/sec:\s+([\d.]+)", out)) else 0.0
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    done = int(m.group(1)) if (m := re.search(r"(\d+) requests in", out)) else 0
    lost = int(m.group(1)) if (m := re.search(r"lost saves: (\d+)", out)) else -1
    if lost != 0:  # not a figure of autosave any more: requests went elsewhere
        raise RuntimeError(f"W3's load lost track of records ({lost} saves unanswered):\n{out}")
    return {"rps": round(rps, 1), "p50_ms": ms("50%"), "p99_ms": ms("99%"), "non_2xx": errors, "requests": done,
            "observers": OBSERVERS}
