"""The web console at /app in Debian's Chromium (Playwright, `executable_path=/usr/bin/chromium`), on a real
platform: one coordinator's journey, signed in through the gateway's own sign-in page with a local account.

The admin (the bootstrap client) seeds schools, educators, a protocol, a network and performance data
through the API and invites the coordinator; the coordinator accepts the invitation in the browser, signs
in (authorization code + PKCE), plans a round, takes notes (autosaved with If-Match; a newer version saved
elsewhere is shown, not overwritten), takes two more with the network cut (`context.set_offline(True)`):
they wait in IndexedDB and the page says so; back online they arrive, exactly once (checked through the
API). Then the debrief, a network meeting with the chair suggestion and a commitment, a school's run charts
(chart.js drew on its canvas) and a network's collaboration graph (cytoscape drew its nodes).

Every screen: axe-core finds no serious or critical violation, and a screenshot is kept (pytest's tmp dir;
also `$CONSOLE_SCREENSHOTS_DIR` when set: `CONSOLE_SCREENSHOTS_DIR=docs/console pytest tests/e2e/test_console.py`
refreshes the pictures of docs/console.md). The page asks nothing of any origin but the gateway's.
The browser missing is installed (as .ci/run does); if it cannot run, the test fails: it never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from improvenet.launcher import ROOT, Platform
from tests.e2e.conftest import outside_client
from tests.e2e.test_docs_browser import CHROMIUM, ensure_chromium
from tests.e2e.test_security import eventually

CONSOLE = ROOT / "gateway" / "console"
AXE = CONSOLE / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a long enough passphrase 42"
EMAIL = "maria.santos@hamilton.example.org"
LOOK_FORS = [
    {"code": "T1", "description": "Teacher asks questions with more than one answer", "domain": "teacher"},
    {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students"},
    {"code": "K1", "description": "The task asks for a representation", "domain": "task"},
]
ONLINE_NOTE = "Students at table 2 explain to each other why 3/4 is more than 2/3"
EVALUATIVE_NOTE = "Students were engaged and on task"
OFFLINE_NOTES = ["Students place 1/2 and 2/4 on a number line", "Task card asks for a number line and a drawing"]
ELSEWHERE = "Teacher asks: 'Who solved it another way?'"
TIMEOUT = 20_000  # ms, for anything the page waits on
DEV_SIGNIN = "CONSOLE_TEST_SIGNIN"  # "token": skip the sign-in page (development only; see docs/console.md)


class Admin:
    """The tenant's admin: the platform's bootstrap client, through the gateway's public API."""

    def __init__(self, platform: Platform, http: httpx.Client) -> None:
        creds = json.loads(Path(platform.bootstrap_client_file).read_text())
        self.base, self.http = platform.gateway_url, http
        answer = http.post(f"{self.base}/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(creds["client_id"], creds["client_secret"]))
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]

    def call(self, method: str, path: str, body: Any = None, status: int | tuple[int, ...] = (200, 201),
             **headers: str) -> httpx.Response:
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        r = self.http.request(method, f"{self.base}{url}", json=body,
                              headers={"Authorization": f"Bearer {self.token}", **headers})
        assert r.status_code in ((status,) if isinstance(status, int) else status), \
            f"{method} {path}: {r.status_code} {r.text}"
        return r

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call(method, path, body, **kw).json()


def seed(admin: Admin) -> dict[str, Any]:
    schools = admin.json("POST", "/hr/schools/bulk", {"match_on": "sourced_id", "items": [
        {"name": "Hamilton Elementary", "sourced_id": "ham-01"}, {"name": "Lincoln Middle", "sourced_id": "lin-01"}]})
    hamilton, lincoln = (i["id"] for i in schools["items"])
    people = [("Maria", "Santos", hamilton, "EDFI-1001"), ("James", "Okafor", lincoln, "EDFI-1002"),
              ("Ana", "Ruiz", hamilton, "EDFI-1003")]
    educators = admin.json("POST", "/hr/educators/bulk", {"match_on": "staff_unique_id", "items": [
        {"given_name": g, "family_name": f, "school_id": s, "career_stage": "intermediate_teacher",
         "staff_unique_id": x} for g, f, s, x in people]})
    maria, james, ana = (i["id"] for i in educators["items"])
    for service in ("observations", "networks"):
        assert eventually(lambda s=service: all(admin.call("GET", f"/{s}/directory/educators/{e}", status=(200, 404))
                                                .status_code == 200 for e in (maria, james, ana)), timeout=30), \
            f"{service} never learnt of the educators"
    protocol = admin.json("POST", "/observations/protocols", {"name": "Fractions rounds", "look_fors": LOOK_FORS})
    network = admin.json("POST", "/networks/networks", {
        "name": "Hamilton-Lincoln math network", "kind": "teachers", "focus": "Students explaining their reasoning",
        "school_ids": [hamilton, lincoln], "norms": ["Describe, do not judge"]})
    for educator, school, tags in ((maria, hamilton, ["talk", "reasoning"]), (james, lincoln, ["fractions"]),
                                   (ana, hamilton, ["reasoning"])):
        admin.call("POST", f"/networks/networks/{network['id']}/members", {
            "educator_id": educator, "school_id": school, "role": "member", "tags": tags,
            "starts_on": (date.today() - timedelta(days=60)).isoformat()})
    # a year of monthly math results with a shift upwards in the last eight: a signal to show
    values = [41, 40, 42, 39, 41, 40, 47, 48, 49, 47, 50, 49, 51, 50]
    rows = [{"external_id": f"sis-math-{n}", "school_id": hamilton, "measure": "math",
             "period": f"{2025 + (n + 8) // 12}-{(n + 8) % 12 + 1:02d}", "value": v} for n, v in enumerate(values)]
    admin.call("POST", "/strategy/measurements/bulk", {"items": rows})
    quality = [0.30, 0.32, 0.31, 0.35, 0.38, 0.41, 0.44, 0.46, 0.47, 0.50]
    admin.call("POST", "/strategy/measurements/bulk", {"items": [
        {"external_id": f"pq-{n}", "school_id": hamilton, "measure": "practice-quality",
         "period": f"{2025 + (n + 8) // 12}-{(n + 8) % 12 + 1:02d}", "value": v} for n, v in enumerate(quality)]})
    return {"hamilton": hamilton, "lincoln": lincoln, "maria": maria, "james": james, "ana": ana,
            "protocol": protocol, "network": network["id"]}


class Screens:
    """Each screen: a screenshot kept, and axe-core's serious and critical violations collected."""

    def __init__(self, page: Any, out: Path) -> None:
        self.page, self.out = page, out
        self.extra = Path(os.environ["CONSOLE_SCREENSHOTS_DIR"]) if os.environ.get("CONSOLE_SCREENSHOTS_DIR") else None
        self.violations: dict[str, list[dict[str, Any]]] = {}
        self.shots: list[Path] = []

    def check(self, name: str) -> None:
        self.page.wait_for_timeout(150)  # let a re-render settle
        path = self.out / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        if self.extra is not None:
            self.extra.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, self.extra / f"{name}.png")
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        found = self.page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))""")
        bad = [v for v in found if v["impact"] in ("serious", "critical")]
        assert self.page.locator("h1").count() == 1, f"{name}: {self.page.locator('h1').count()} h1 elements"
        assert self.page.locator("main").count() == 1, f"{name}: no main landmark"
        if bad:
            self.violations[name] = bad


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ensure_chromium()
    assert AXE.is_file(), f"{AXE} is missing: run `make install` (it runs npm ci in gateway/console)"
    assert (CONSOLE / "dist" / "index.html").is_file(), "the console is not built: run `make install`"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


def sign_in(page: Any, base: str, invitation: str) -> None:
    """Accept the invitation (choose a password), then sign in on the gateway's page and come back to /app."""
    page.goto(invitation if invitation.startswith("http") else base + invitation)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/app")
    page.wait_for_url(lambda u: "/app" not in u.split("?")[0])  # sent to the gateway's sign-in
    assert "/app" not in page.url.split("?")[0], page.url
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/signin'] button[type=submit]").click()
    page.wait_for_url(f"{base}/app", timeout=TIMEOUT)  # back through /app/callback, code traded for tokens
    page.locator("h1", has_text="Hello, Maria").wait_for()


def text_of(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text())


def test_a_coordinators_week_in_the_console(platform: Platform, browser: Any, tmp_path: Path) -> None:
    t0 = time.monotonic()
    base = platform.gateway_url
    with outside_client() as http:
        admin = Admin(platform, http)
        ids = seed(admin)
        dev = os.environ.get(DEV_SIGNIN) == "token"

        # a tablet, held upright; the page may not load anything from anywhere but the gateway
        context = browser.new_context(viewport={"width": 768, "height": 1024}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        console_errors: list[str] = []
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        screens = Screens(page, tmp_path)
        try:

            # --- the invitation, then the gateway's sign-in page (authorization code + PKCE) -----------------
            if dev:
                # development only (docs/console.md): the admin client's token, put where the console looks for one
                token = json.dumps(admin.token)
                page.add_init_script(f"sessionStorage.setItem('improvenet.console.test_token', {token})")
                page.goto(f"{base}/app")
                page.locator("h1", has_text="Hello").wait_for()
            else:
                invited = admin.json("POST", "/api/v1/admin/people", {"email": EMAIL, "role": "coordinator",
                                                                   "educator_id": ids["maria"],
                                                                   "display_name": "Maria Santos"})
                assert invited["invitation_url"], invited
                sign_in(page, base, invited["invitation_url"])
            page.locator("a", has_text="Hamilton-Lincoln math network").first.wait_for()  # the home page lists it
            screens.check("home")
            heavy = [u for u in requested if "/assets/School-" in u or "/assets/Network-" in u]
            assert not heavy, f"the home page loaded the charts' or the graph's code: {heavy}"  # loaded on first visit

            # --- plan a round: the API's field error shows next to its input, then the round is planned -------
            page.click("nav >> text=Plan a round")
            page.locator("h1", has_text="Plan a round").wait_for()
            page.select_option("select[name=school_id]", label="Hamilton Elementary")
            if dev:  # a client's token is no educator: Maria observes only when chosen
                page.check(f"input[name=observer_ids][value='{ids['maria']}']")
            page.check(f"input[name=observer_ids][value='{ids['james']}']")
            page.fill("input[name=grade-0]", "4")
            page.fill("input[name=subject-0]", "math")
            page.fill("input[name=room-0]", "101")
            page.click("text=Add a classroom")
            page.fill("input[name=grade-1]", "4")
            page.fill("input[name=subject-1]", "math")
            page.fill("input[name=room-1]", "102")
            page.click("button[type=submit]")  # no problem of practice yet: refused, said at the field
            page.locator("#pop-err").wait_for()
            assert "problem_of_practice" in text_of(page, "#pop-err")
            page.fill("textarea[name=problem_of_practice]", "Students give answers but rarely explain how they know")
            screens.check("plan")
            page.click("button[type=submit]")
            page.locator("h1", has_text="Round at Hamilton Elementary").wait_for()
            visits = [v for v in admin.json("GET", "/observations/visits")["items"]
                      if v["school_id"] == ids["hamilton"]]
            assert len(visits) == 1 and sorted(c["room"] for c in visits[0]["classrooms"]) == ["101", "102"], visits
            visit = visits[0]
            assert sorted(visit["observer_ids"]) == sorted([ids["maria"], ids["james"]])
            screens.check("round")

            # --- observe room 101: autosave with the evidence check as she types ------------------------------
            page.click("text=Room 101")
            page.locator("h1", has_text="Room 101").wait_for()
            if dev:
                page.select_option("select[name=observer]", ids["maria"])
            page.click("text=Add a note")
            first = page.locator("li.note").nth(0)
            first.locator("textarea").fill(ONLINE_NOTE)
            first.locator("label:has-text('S1') input").check()
            first.locator(".verdict.descriptive").wait_for()
            page.click("text=Add a note")
            second = page.locator("li.note").nth(1)
            second.locator("textarea").fill(EVALUATIVE_NOTE)
            second.locator(".verdict.evaluative").wait_for()
            assert "engaged" in second.inner_text(), second.inner_text()
            page.locator("#save-status", has_text="saved").wait_for()
            screens.check("observe")
            record_id = next(r["id"] for r in admin.json("GET", f"/observations/visits/{visit['id']}/records")
                             if r["observer_id"] == ids["maria"])
            saved = admin.call("GET", f"/observations/records/{record_id}")
            assert [n["text"] for n in saved.json()["notes"]] == [ONLINE_NOTE, EVALUATIVE_NOTE]

            # a newer version saved elsewhere: the page shows it and lets her choose, it never overwrites it
            elsewhere = [{"observed_at": n["observed_at"], "text": n["text"], "look_for_codes": n["look_for_codes"]}
                         for n in saved.json()["notes"]][:1]
            elsewhere.append({"observed_at": saved.json()["notes"][1]["observed_at"], "text": ELSEWHERE,
                              "look_for_codes": ["T1"]})
            admin.call("PATCH", f"/observations/records/{record_id}", {"notes": elsewhere},
                       **{"If-Match": saved.headers["etag"]})
            second.locator("textarea").fill("Students talk in pairs about the second task")
            page.locator("section.conflict").wait_for()
            assert ELSEWHERE in text_of(page, "section.conflict .theirs")
            screens.check("observe-conflict")
            assert [n["text"] for n in admin.json("GET", f"/observations/records/{record_id}")["notes"]] == \
                [ONLINE_NOTE, ELSEWHERE], "the page overwrote the newer version"
            page.click("text=Keep the newer version")
            page.locator("section.conflict").wait_for(state="detached")
            assert page.locator("li.note textarea").nth(1).input_value() == ELSEWHERE

            # --- the network cut: two notes wait on the device, then arrive exactly once -----------------------
            context.set_offline(True)
            page.locator(".conn", has_text="Offline").wait_for()
            for n, text in enumerate(OFFLINE_NOTES):
                page.click("text=Add a note")
                note = page.locator("li.note").nth(2 + n)
                note.locator("textarea").fill(text)
                note.locator("label:has-text('K1') input").check()
            page.locator("#queue-status", has_text="2 notes waiting to send").wait_for()
            screens.check("observe-offline")
            texts = [n["text"] for n in admin.json("GET", f"/observations/visits/{visit['id']}/notes")]
            assert not set(OFFLINE_NOTES) & set(texts), "notes arrived while the browser was offline"
            context.set_offline(False)
            page.locator("#queue-status", has_text="All notes sent").wait_for(timeout=30_000)
            texts = [n["text"] for n in admin.json("GET", f"/observations/visits/{visit['id']}/notes")]
            assert [texts.count(t) for t in OFFLINE_NOTES] == [1, 1], texts
            page.locator("h2", has_text="Your other records of this room").wait_for()
            # a second flush (a resend after a lost answer would be one) changes nothing
            page.evaluate("() => window.dispatchEvent(new Event('online'))")
            page.wait_for_timeout(1500)
            texts = [n["text"] for n in admin.json("GET", f"/observations/visits/{visit['id']}/notes")]
            assert [texts.count(t) for t in OFFLINE_NOTES] == [1, 1], texts
            page.click("text=Submit my notes for this room")
            page.locator("#save-status", has_text="submitted").wait_for()
            statuses = {r["status"] for r in admin.json("GET", f"/observations/visits/{visit['id']}/records")}
            assert statuses == {"submitted"}, statuses

            # --- debrief: screening, patterns, prediction, next level of work; the visit is debriefed ----------
            page.click("text=Go to the debrief")
            page.locator("h1", has_text="Debrief").wait_for()
            evaluative = page.locator("ul.screening li", has_text=EVALUATIVE_NOTE)
            if evaluative.count():  # kept only if "keep the newer version" had not replaced it
                evaluative.locator("button", has_text="Accept").click()
                evaluative.locator(".problem").wait_for()
            for text in (ONLINE_NOTE, *OFFLINE_NOTES):
                item = page.locator("ul.screening li", has_text=text)
                item.locator("button", has_text="Accept").click()
                page.locator("ul.screening li[data-screening=accepted]", has_text=text).wait_for()
            page.locator("table.patterns tr", has_text="K1").locator("td", has_text="1 of").wait_for()
            page.select_option(".pattern-form select >> nth=1", "some")
            page.select_option(".pattern-form select >> nth=2", "K1")
            page.fill(".pattern-form input", "Students represent fractions on number lines")
            page.click("text=Add the statement")
            page.locator("table.patterns tr", has_text="K1").locator("strong", has_text="some").wait_for()
            page.fill("textarea[name=prediction]", "Students would be able to place fractions on a number line")
            page.click("text=Add an item of next level of work")
            page.fill("input[name=recommendation-0]", "Grade 4 teachers visit room 101 during math")
            screens.check("debrief")
            page.click("text=Record the debrief and mark the visit debriefed")
            page.locator("#visit-status", has_text="debriefed").wait_for()
            debriefed = admin.json("GET", f"/observations/visits/{visit['id']}")
            assert debriefed["status"] == "debriefed", debriefed["status"]
            assert debriefed["prediction"].startswith("Students would be able")

            # --- run a meeting: attendance, the chair suggestion with its reasons, a commitment ----------------
            page.click("nav >> text=Home")
            page.locator("h1", has_text="Hello").wait_for()
            page.click("text=Run a meeting")
            page.locator("h1", has_text="Run a meeting").wait_for()
            page.fill("input[name=agenda]", "Comparing strategies")
            page.fill("input[name=tags]", "talk, reasoning")
            page.click("text=Suggest a chair")
            top = page.locator("label.candidate").first
            top.wait_for()
            # a coordinator reads no personal data (no hr:pii): people are shown by stage and a short id
            chair = top.inner_text()
            assert ids["maria"][:8] in chair and "knows 2 of the agenda" in chair, chair
            page.click("text=Add a commitment")
            page.fill("input[name=commit-description-0]", "Try the two-strategy comparison task in every grade 4 class")
            page.fill("input[name=commit-due-0]", (date.today() + timedelta(days=14)).isoformat())
            screens.check("meeting")
            page.click("text=Record the meeting")
            page.locator("h1", has_text="Meeting recorded").wait_for()
            meetings = admin.json("GET", f"/networks/meetings?network_id={ids['network']}")["items"]
            assert len(meetings) == 1 and meetings[0]["chair_id"] == ids["maria"], meetings
            assert sorted(meetings[0]["attendee_ids"]) == sorted([ids["maria"], ids["james"], ids["ana"]])
            made = admin.json("GET", f"/networks/commitments?network_id={ids['network']}")["items"]
            assert any(c["meeting_id"] == meetings[0]["id"] and c["description"].startswith("Try the two-strategy")
                       for c in made), made
            screens.check("meeting-recorded")

            # --- a school's run charts: chart.js drew on the canvas ----------------------------------------
            page.goto(f"{base}/app/schools/{ids['hamilton']}?measure=math")
            page.locator("h1", has_text="Hamilton Elementary").wait_for()
            page.locator("#chart-performance").wait_for()
            painted = page.evaluate("""() => ['chart-quality', 'chart-performance'].map(id => {
                const c = document.getElementById(id);
                const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return [c.width, n]; })""")
            assert all(w > 300 and n > 1000 for w, n in painted), painted
            assert page.locator("table caption", has_text="Signals in performance").count() == 1, "no signal shown"
            screens.check("school")

            # --- a network's collaboration graph: cytoscape drew every member ---------------------------------
            page.goto(f"{base}/app/networks/{ids['network']}")
            page.locator("h1", has_text="Hamilton-Lincoln math network").wait_for()
            page.locator("#graph canvas").first.wait_for()
            drawn = page.evaluate("() => window.__cy ? [window.__cy.nodes().length, window.__cy.edges().length] : null")
            assert drawn is not None and drawn[0] == 3 and drawn[1] >= 1, drawn
            screens.check("network")
        except BaseException:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            shown = page.locator("body").inner_text()[:3000]
            print(f"the page when it failed ({page.url}): {tmp_path / 'failure.png'}\n{shown}")
            raise
        context.close()

    print(f"console journey in {time.monotonic() - t0:.0f}s; screenshots: {[str(s) for s in screens.shots]}")
    assert not screens.violations, "axe-core found serious or critical violations:\n" + json.dumps(
        screens.violations, indent=1)
    foreign = sorted({u for u in requested if not (u.startswith(base + "/") or u.startswith(("data:", "blob:")))})
    assert not foreign, f"the console asked other origins: {foreign}"
    assert requested and any("/app/assets/" in u for u in requested), "no console asset was loaded"
    assert not console_errors, f"uncaught errors in the page: {console_errors}"


def tab_to(page: Any, selector: str, limit: int = 40) -> list[str]:
    """Press Tab until `selector` has the focus; every stop on the way must show where the focus is."""
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {what: e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.innerText || e.name || '').slice(0, 30),
                    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                          || s.boxShadow !== 'none'}; }""")
        stops.append(focused["what"])
        if focused["what"].startswith("BODY"):
            continue  # past the last control the focus leaves the page (the browser's own controls), then wraps
        assert focused["ring"], f"the focus on {focused['what']} is invisible (no outline, no shadow): {stops}"
        if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return stops
    raise AssertionError(f"{selector} never took the focus in {limit} Tabs: {stops}")


def test_a_person_signs_in_and_moves_around_with_the_keyboard_only(platform: Platform, browser: Any) -> None:
    """WCAG 2.1.1 and 2.4.7: the invitation, the sign-in page and the console's navigation work without a
    pointer, and the focus is always visible."""
    base, email = platform.gateway_url, "keys.only@hamilton.example.org"
    with outside_client() as http:
        admin = Admin(platform, http)
        invited = admin.json("POST", "/api/v1/admin/people", {"email": email, "role": "observer",
                                                           "display_name": "Kim Keys"})
        context = browser.new_context(viewport={"width": 768, "height": 1024})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        try:
            page.goto(invited["invitation_url"])
            tab_to(page, "#password")
            page.keyboard.type(PASSWORD)
            tab_to(page, "#confirm")
            page.keyboard.type(PASSWORD)
            with page.expect_navigation():
                page.keyboard.press("Enter")  # Enter in a field submits its form
            page.goto(f"{base}/app")
            page.wait_for_url(lambda u: "/app" not in u.split("?")[0])  # the gateway's sign-in page
            tab_to(page, "#email")
            page.keyboard.type(email)
            tab_to(page, "#password")
            page.keyboard.type(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/app", timeout=TIMEOUT)
            page.locator("h1", has_text="Hello, Kim").wait_for()
            tab_to(page, "nav a[href$='/rounds/new']")
            page.keyboard.press("Enter")
            page.locator("h1", has_text="Plan a round").wait_for()
            page.locator("select[name=school_id]").wait_for()  # schools, protocols and educators loaded
            tab_to(page, "select[name=school_id]")  # the form's first field is reachable, after the navigation
        finally:
            context.close()
