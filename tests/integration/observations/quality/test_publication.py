"""The index is published once a school and period reach the minimum of classrooms, never before and
never per submission; a period close publishes its final value once."""

from __future__ import annotations

import pytest

from tests.integration.observations.conftest import Obs


async def debriefed(obs: Obs, rooms: int, version: str | None = None) -> dict[str, object]:
    visit = await obs.running_visit(rooms=rooms, version=version)
    vid = visit["id"]
    for n in (await obs.ok("GET", f"/visits/{vid}/notes")).json():
        await obs.ok("PUT", f"/notes/{n['id']}/selection", {"selected": True})
        decision = {"decision": "accepted"} if n["descriptive"] else {"decision": "rejected", "reason": "inference"}
        await obs.ok("PUT", f"/notes/{n['id']}/screening", decision)
    await obs.ok("PUT", f"/visits/{vid}/debrief", {"prediction": "Students would explain"})
    etag = (await obs.ok("GET", f"/visits/{vid}")).headers["etag"]
    await obs.ok("POST", f"/visits/{vid}/transitions", {"to": "debriefed"}, **{"If-Match": etag})
    return visit


async def test_published_only_at_five_classrooms_and_at_close(obs: Obs) -> None:
    events = "SELECT count(*) FROM outbox WHERE topic = 'observations.quality'"
    version = (await obs.protocol())["versions"][0]["id"]
    await debriefed(obs, rooms=4, version=version)
    index = (await obs.ok("GET", f"/schools/{obs.school}/quality?period=2026-27-T1")).json()
    assert (index["observed_classrooms"], index["published"], index["overall"]) == (4, False, None)
    assert await obs.sql(events) == 0
    await debriefed(obs, rooms=1, version=version)
    index = (await obs.ok("GET", f"/schools/{obs.school}/quality?period=2026-27-T1")).json()
    assert index["published"] is True and index["observed_classrooms"] == 5
    # every room: its one observer saw S1 in accepted evidence (the rejected inference note adds nothing);
    # nobody saw T1. Over the protocol's two look-fors: (1 + 0) / 2
    assert index["shares"] == {"T1": 0.0, "S1": 1.0} and index["overall"] == pytest.approx(0.5)
    assert await obs.sql(events) == 1
    await debriefed(obs, rooms=1, version=version)  # a sixth classroom: no event per visit
    assert await obs.sql(events) == 1
    other = await debriefed(obs, rooms=5)  # another protocol version: its own index
    by_version = (await obs.ok("GET", f"/schools/{obs.school}/quality?period=2026-27-T1"
                                      f"&protocol_version_id={other['protocol_version_id']}")).json()
    assert by_version["observed_classrooms"] == 5 and await obs.sql(events) == 2


async def test_the_minimum_is_a_setting(obs: Obs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSERVATIONS_QUALITY_MIN_CLASSROOMS", "3")
    events = "SELECT count(*) FROM outbox WHERE topic = 'observations.quality'"
    await debriefed(obs, rooms=3)
    index = (await obs.ok("GET", f"/schools/{obs.school}/quality?period=2026-27-T1")).json()
    assert index["published"] is True and index["minimum_classrooms"] == 3
    assert index["shares"] == {"T1": 0.0, "S1": 1.0} and index["overall"] == pytest.approx(0.5)
    assert await obs.sql(events) == 1
    closed = await obs.ok("POST", f"/schools/{obs.school}/quality/close", {"period": "2026-27-T1"})
    assert closed.json()[0]["overall"] == pytest.approx(0.5)
    await obs.ok("POST", f"/schools/{obs.school}/quality/close", {"period": "2026-27-T1"})
    assert await obs.sql(events) == 2


async def one_room_seeing(obs: Obs, version: str, code: str) -> None:
    """A debriefed visit of one classroom whose one observer saw `code` (accepted, descriptive)."""
    body = obs.visit_body(version, classrooms=[{"grade": "3", "subject": "math", "room": "9"}])
    visit = (await obs.ok("POST", "/visits", body, 201)).json()
    vid = visit["id"]
    await obs.ok("POST", f"/visits/{vid}/transitions", {"to": "in_progress"}, **{"If-Match": '"1"'})
    r = await obs.ok("POST", f"/visits/{vid}/records", {
        "classroom_id": visit["classrooms"][0]["id"], "observer_id": str(obs.educators[0]), "notes": [
            {"observed_at": "2026-11-24T09:00:00Z", "text": "Teacher asks who solved it another way",
             "look_for_codes": [code], "language": "en"}]}, 201)
    await obs.ok("POST", f"/records/{r.json()['id']}/transitions", {"to": "submitted"},
                 **{"If-Match": r.headers["etag"]})
    for n in (await obs.ok("GET", f"/visits/{vid}/notes")).json():
        await obs.ok("PUT", f"/notes/{n['id']}/selection", {"selected": True})
        await obs.ok("PUT", f"/notes/{n['id']}/screening", {"decision": "accepted"})
    await obs.ok("PUT", f"/visits/{vid}/debrief", {"prediction": "Students would compare answers"})
    etag = (await obs.ok("GET", f"/visits/{vid}")).headers["etag"]
    await obs.ok("POST", f"/visits/{vid}/transitions", {"to": "debriefed"}, **{"If-Match": etag})


async def test_reads_show_the_last_publication_so_two_reads_never_reveal_one_visit(
        obs: Obs, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reads around one debrief showed the running sums before and after it: their difference was that
    visit's classrooms. A read shows the last publication (at the threshold, then at period close) and
    changes only at the next publication point."""
    monkeypatch.setenv("OBSERVATIONS_QUALITY_MIN_CLASSROOMS", "3")
    version = (await obs.protocol())["versions"][0]["id"]
    school, period = obs.school, "2026-27-T1"
    read = f"/schools/{school}/quality?period={period}"
    await debriefed(obs, rooms=3, version=version)  # the threshold: published
    before = (await obs.ok("GET", read)).json()
    assert before["published"] is True and before["publication"] == "threshold"
    assert (before["observed_classrooms"], before["shares"]) == (3, {"T1": 0.0, "S1": 1.0})
    [listed_before] = (await obs.ok("GET", f"/quality-index?period={period}")).json()["items"]

    await one_room_seeing(obs, version, "T1")  # one classroom, seeing T1 and not S1
    after = (await obs.ok("GET", read)).json()
    assert after == before  # nothing about that classroom can be read off the difference
    [listed_after] = (await obs.ok("GET", f"/quality-index?period={period}")).json()["items"]
    assert listed_after == listed_before
    sums = await obs.sql("SELECT total FROM quality_sums WHERE look_for_code = 'T1'")
    assert sums == 1.0  # the running sums did take the visit in: for the next publication

    closed = (await obs.ok("POST", f"/schools/{school}/quality/close", {"period": period})).json()
    final = (await obs.ok("GET", read)).json()
    assert closed == [final] and final["publication"] == "period_closed"
    assert (final["observed_classrooms"], final["shares"]) == (4, {"T1": 0.25, "S1": 0.75})
    await one_room_seeing(obs, version, "T1")  # a late visit of a closed period: published never again
    assert (await obs.ok("GET", read)).json() == final
