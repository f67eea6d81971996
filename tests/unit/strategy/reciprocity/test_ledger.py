from __future__ import annotations

from datetime import date

from services.strategy.reciprocity import ledger


def test_school_years_run_august_to_july() -> None:
    assert ledger.school_year(date(2025, 8, 1)) == "2025-26"
    assert ledger.school_year(date(2026, 7, 31)) == "2025-26"
    assert ledger.school_year(date(1999, 9, 1)) == "1999-00"


def test_demand_rising_while_capacity_stays_flat_is_flagged() -> None:
    demand = {"2024-25": ledger.demanded_gain(50, 52.5), "2025-26": ledger.demanded_gain(50, 55)}
    capacity = {p: ledger.Capacity(learning_hours=20) for p in demand}
    rows = ledger.ledger(demand, capacity, ledger.Weights())
    assert [(r.period, r.demand, r.capacity, r.ratio, r.flag) for r in rows] == [
        ("2024-25", 0.05, 20, 400, False), ("2025-26", 0.1, 20, 200, True)]


def test_weights_decide_what_counts_as_investment() -> None:
    demand = {"2024-25": 0.05, "2025-26": 0.1}
    capacity = {"2024-25": ledger.Capacity(learning_hours=20), "2025-26": ledger.Capacity(learning_hours=10,
                                                                                         money=15000)}
    plain = ledger.ledger(demand, capacity, ledger.Weights())
    assert plain[1].capacity == 25 and not plain[1].flag
    no_money = ledger.ledger(demand, capacity, ledger.Weights(money_per_1000=0))
    assert no_money[1].capacity == 10 and no_money[1].flag


def test_no_demand_no_ratio_and_coaching_topics() -> None:
    rows = ledger.ledger({}, {"2024-25": ledger.Capacity(coaching_hours=4)}, ledger.Weights(coaching=2))
    assert rows[0].ratio is None and rows[0].capacity == 8
    assert ledger.is_coaching("coaching-math") and not ledger.is_coaching("math") and not ledger.is_coaching(None)
    assert ledger.demanded_gain(0.3, 0.5) == 0.2  # below a baseline of 1 the gain is absolute
