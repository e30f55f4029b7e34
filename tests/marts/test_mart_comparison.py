"""The comparison the engine equality tests rely on tells values apart as it should."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from mart_comparison import differences


def test_equal_within_tolerance_across_types_and_order() -> None:
    day = date(2025, 1, 6)
    assert differences([(Decimal("0.500000"), day, "a")], [(0.5, day, "a")], "x") == []
    assert differences([(1, None), (2, "x")], [(2, "x"), (1, None)], "x") == []
    assert differences([(Decimal("4.067812"),)], [(Decimal("4.067813"),)], "x") == []


def test_different_beyond_tolerance() -> None:
    assert differences([(Decimal("0.5"),)], [(0.5 + 1e-6,)], "x") != []
    assert differences([(Decimal("4.067812"),)], [(Decimal("4.067814"),)], "x") != []
    assert differences([(datetime(2025, 1, 6, 1),)], [(datetime(2025, 1, 6, 2),)], "x") != []
    assert differences([(True,)], [(1,)], "spark") == ["duckdb (True,) != spark (1,)"]
