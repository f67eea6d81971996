from __future__ import annotations

from datetime import date

from services.strategy.initiatives import status


def test_stale_after_due_date_plus_grace() -> None:
    start = date(2026, 1, 1)
    assert not status.is_stale("on_track", None, start, 30, 7, date(2026, 2, 7))  # due 31 Jan, grace to 7 Feb
    assert status.is_stale("on_track", None, start, 30, 7, date(2026, 2, 8))
    assert not status.is_stale("on_track", date(2026, 2, 1), start, 30, 7, date(2026, 2, 8))
    assert not status.is_stale("done", None, start, 30, 7, date(2027, 1, 1))


def test_updates_cannot_be_dated_in_the_future_or_before_the_last() -> None:
    assert status.update_error(date(2026, 5, 2), date(2026, 5, 1), None) == (
        "as_of", "an update cannot be dated in the future")
    assert status.update_error(date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 2)) is not None
    assert status.update_error(date(2026, 5, 1), date(2026, 5, 1), date(2026, 4, 2)) is None


def test_roll_up_and_freshness() -> None:
    items = [status.Item("on_track", 0.5, False), status.Item("at_risk", 0.2, True), status.Item("done", 1.0, False),
             status.Item("cancelled", 0.0, False)]
    up = status.roll_up(items)
    assert (up.status, up.progress, up.stale) == ("at_risk", round(1.7 / 3, 6), True)
    assert status.freshness(items) == 0.5
    assert status.roll_up([status.Item("done", 1, False)]).status == "done"
    assert status.freshness([status.Item("done", 1, False)]) is None


def test_milestones_roll_up_into_their_initiative() -> None:
    never, on_track = status.Item("not_started", 0.0, False), status.Item("on_track", 0.4, False)
    done, late = status.Item("done", 1.0, False), status.Item("at_risk", 0.5, True)
    cancelled = status.Item("cancelled", 0.9, True)
    # no live milestone: the initiative's own
    assert status.initiative_rollup(on_track, []) == on_track
    assert status.initiative_rollup(on_track, [cancelled]) == on_track
    # never updated itself: its milestones say where it stands (a done milestone is progress 1)
    assert status.initiative_rollup(never, [done]) == status.Item("done", 1.0, False)
    assert status.initiative_rollup(never, [done, late, cancelled]) == status.Item("at_risk", 0.75, True)
    # updated itself: the worst live status of both levels, the milestones' mean progress
    assert status.initiative_rollup(on_track, [done, done]) == status.Item("on_track", 1.0, False)
    assert status.initiative_rollup(status.Item("done", 1.0, False), [late]) == status.Item("at_risk", 0.5, True)
    assert status.initiative_rollup(status.Item("off_track", 0.1, True), [done]) == status.Item("off_track", 1.0,
                                                                                                 True)
    # cancelled is cancelled, whatever its milestones
    assert status.initiative_rollup(cancelled, [late]) == cancelled
    # then into the goal and the plan: the initiatives' roll-ups roll up again
    rolled = [status.initiative_rollup(never, [done]), status.initiative_rollup(on_track, [late])]
    assert status.roll_up(rolled) == status.Item("at_risk", 0.75, True)
