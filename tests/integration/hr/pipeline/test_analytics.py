"""Pipeline analytics on PostgreSQL: served from the projection, rebuilt after a change."""

from __future__ import annotations

from tests.integration.hr.conftest import Pipeline


async def test_analytics_from_the_projection(api: Pipeline) -> None:
    hamilton = await api.school("Hamilton")
    principal = await api.educator("principal", hamilton)
    resident = await api.educator("principal_resident", hamilton)
    novices = [await api.educator("novice_teacher", hamilton) for _ in range(2)]
    mentor = await api.educator("teacher_leader", hamilton)
    await api.ok("POST", "/mentorships", {"mentor_id": mentor["id"], "mentee_id": novices[0]["id"]})
    post = await api.ok("POST", "/posts", {"school_id": hamilton, "stage": "principal", "title": "Principal",
                                           "incumbent_id": principal["id"]})
    first = await api.ok("GET", "/pipeline/analytics")
    assert first["counts_per_stage"] == {"principal": 1, "principal_resident": 1, "novice_teacher": 2,
                                         "teacher_leader": 1}
    assert first["median_days_in_stage"]["novice_teacher"] == 0.0
    assert first["mentoring_coverage"]["all"] == {"novices": 2, "mentored": 1, "coverage": 0.5}
    assert first["succession_risk"] == [post["id"]]
    assert first["bench_strength"][0]["ready_now"] == 0
    assert first["vacancy_forecast"]["principal"]["posts"] == 1
    served = await api.ok("GET", "/pipeline/analytics")
    assert served["computed_at"] == first["computed_at"]  # nothing changed: the stored projection
    await api.ok("PUT", f"/educators/{resident['id']}/readiness",
                 {"target_stage": "principal", "estimate": "ready_now", "approver_id": principal["id"]})
    after = await api.ok("GET", "/pipeline/analytics")
    assert after["computed_at"] != first["computed_at"]
    assert after["succession_risk"] == [] and after["bench_strength"][0]["ready_now"] == 1
    assert after["bench_by_school"][hamilton] == {"posts": 1, "ready_now": 1, "at_risk": 0}
    other = await api.ok("GET", "/pipeline/analytics", tenant="district-b")
    assert other["educators"] == 0 and other["bench_strength"] == []


async def test_exits_feed_the_forecast(api: Pipeline) -> None:
    school = await api.school()
    principals = [await api.educator("principal", school) for _ in range(4)]
    for n in range(2):
        await api.ok("POST", "/posts", {"school_id": school, "stage": "principal", "title": f"Principal {n}"})
    r = await api.request("DELETE", f"/educators/{principals[0]['id']}")
    assert r.status_code == 204
    exits = await api.scalar(f"SELECT count(*) FROM stage_transition WHERE educator_id = '{principals[0]['id']}' "
                             "AND to_stage IS NULL")
    assert exits == 1  # the exit is part of the history
    assert (await api.get(f"/educators/{principals[0]['id']}/transitions")).status_code == 404
    figures = await api.ok("GET", "/pipeline/analytics")
    # 3 principals remain, 1 left in the year: rate 1 / 4 = 0.25; 2 posts -> 0.5 expected vacancies
    assert figures["vacancy_forecast"]["principal"] == {"posts": 2, "exit_rate": 0.25, "expected_vacancies": 0.5}
