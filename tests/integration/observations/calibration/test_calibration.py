"""Calibration through the API."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.observations.conftest import Obs


async def test_calibration_through_the_api(obs: Obs) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    facilitator = obs.auth(subject=str(obs.educators[0]))
    session = await obs.client.post("/calibration-sessions", json={"protocol_version_id": version,
                                                                   "items": ["seg 1", "seg 2"]}, headers=facilitator)
    assert session.status_code == 201
    sid = session.json()["id"]
    codings = [{"seg 1": ["T1"], "seg 2": ["S1"]}, {"seg 1": ["T1"], "seg 2": ["S1"]}, {"seg 1": ["T1"], "seg 2": []}]
    for educator, codes in zip(obs.educators, codings, strict=True):
        r = await obs.client.post(f"/calibration-sessions/{sid}/codings", headers=obs.auth(),
                                  json={"observer_id": str(educator), "codes": codes})
        assert r.status_code == 200, r.text
    result = (await obs.client.get(f"/calibration-sessions/{sid}", headers=facilitator)).json()
    by_code = {a["code"]: a for a in result["look_fors"]}
    assert by_code["T1"]["percent_agreement"] == 1.0 and by_code["T1"]["method"] == "fleiss"
    assert by_code["S1"]["percent_agreement"] == pytest.approx((1 / 3 + 1) / 2)
    assert result["observer_agreement"][str(obs.educators[2])] < 1.0
    unknown = await obs.client.post(f"/calibration-sessions/{sid}/codings", headers=obs.auth(),
                                    json={"observer_id": str(obs.educators[0]), "codes": {"seg 9": ["Z"]}})
    assert unknown.status_code == 422
    assert (await obs.client.get(f"/calibration-sessions/{sid}", headers=obs.auth("district-b"))).status_code == 404


async def test_observer_figures_are_for_the_observer_and_the_facilitator(obs: Obs) -> None:
    """Issue 10: observers' agreement and descriptive shares were readable tenant-wide, even by a token
    limited to one school."""
    version = (await obs.protocol())["versions"][0]["id"]
    facilitator, observer = obs.educators[0], obs.educators[1]
    sid = (await obs.client.post("/calibration-sessions", headers=obs.auth(subject=str(facilitator)), json={
        "protocol_version_id": version, "items": ["seg 1", "seg 2"]})).json()["id"]
    for educator, codes in [(obs.educators[1], {"seg 1": ["T1"], "seg 2": []}),
                            (obs.educators[2], {"seg 1": ["T1"], "seg 2": ["S1"]})]:
        r = await obs.client.post(f"/calibration-sessions/{sid}/codings", headers=obs.auth(),
                                  json={"observer_id": str(educator), "codes": codes})
        assert r.status_code == 200
    read = f"/calibration-sessions/{sid}"
    everyone = (await obs.client.get(read, headers=obs.auth(subject=str(facilitator)))).json()["observer_agreement"]
    assert set(everyone) == {str(obs.educators[1]), str(obs.educators[2])}
    own = (await obs.client.get(read, headers=obs.auth(subject=str(observer)))).json()["observer_agreement"]
    assert set(own) == {str(observer)}
    one_school = obs.auth(schools=[str(obs.school)])
    assert (await obs.client.get(read, headers=one_school)).json()["observer_agreement"] == {}
    figures = f"/observers/{observer}/evidence-quality"

    async def read(headers: dict[str, str], status: int = 200) -> dict[str, object]:
        r = await obs.client.get(figures, headers=headers)
        assert r.status_code == status, r.text
        return r.json()  # type: ignore[no-any-return]

    # anyone else is refused (403, as docs/observations.md says), the problem naming the observer
    refused = await read(one_school, 403)
    assert refused["type"].endswith("/observer-figures-private")
    assert [e["field"] for e in refused["errors"]] == ["observer_id"] and "notes" not in refused
    await read(obs.auth(subject=str(obs.educators[2])), 403)  # a colleague in the same session
    assert (await read(obs.auth(subject=str(observer))))["notes"] == 0
    assert (await read(obs.auth(subject=str(facilitator))))["notes"] == 0
    # a token limited to another school does not see the calibration of this school's educators
    await obs.sql("UPDATE educator_directory SET school_id = $1 WHERE educator_id = $2", obs.school, observer)
    elsewhere = obs.auth(schools=[str(uuid.uuid4())])
    assert (await obs.client.get(read_path := f"/calibration-sessions/{sid}", headers=elsewhere)).status_code == 404
    assert (await obs.client.get(figures, headers=elsewhere)).status_code == 404
    assert (await obs.client.get(read_path, headers=obs.auth())).status_code == 200
