"""Vega-Lite specifications of the review's charts, data inline: plain dictionaries that
the page hands to vega-embed (shipped in the report folder, see vega_bundle.py)."""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
_WIDTH = "container"
_AMOUNT_FORMAT = ",.0f"
_CONFIG = {
    "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelColor": "#475569", "titleColor": "#334155", "gridColor": "#e2e8f0"},
    "legend": {"labelColor": "#334155", "orient": "bottom"},
}
# Waterfall steps: colour by what they do to the pipeline.
_STEP_COLOURS = {"total": "#334155", "in": "#16a34a", "out": "#dc2626", "won": "#2563eb"}


def _spec(height: int, data: list[dict[str, Any]], **body: Any) -> Spec:
    # $schema names the spec's version only: vega-embed never fetches it.
    return {
        "$schema": _SCHEMA,
        "width": _WIDTH,
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": _CONFIG,
        "data": {"values": data},
        **body,
    }


def pipeline_trend(points: list[dict[str, Any]]) -> Spec:
    """Open and weighted pipeline on each of the last weeks' as-of days."""
    data = [
        {"day": point["day"], "series": series, "amount": point[key]}
        for point in points
        for series, key in (("Open pipeline", "open"), ("Weighted pipeline", "weighted"))
    ]
    return _spec(
        220,
        data,
        mark={"type": "line", "point": True, "strokeWidth": 2},
        encoding={
            "x": {"field": "day", "type": "temporal", "title": None},
            "y": {
                "field": "amount",
                "type": "quantitative",
                "title": None,
                "axis": {"format": "~s"},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"range": ["#2563eb", "#93c5fd"]},
            },
            "tooltip": [
                {"field": "day", "type": "temporal"},
                {"field": "series"},
                {"field": "amount", "type": "quantitative", "format": _AMOUNT_FORMAT},
            ],
        },
    )


def waterfall(steps: list[tuple[str, float, str]]) -> Spec:
    """Opening, then each movement as a floating bar, then closing. `steps` holds
    (label, signed amount, kind); kind `total` bars start at zero."""
    data = []
    level = 0.0
    for order, (label, amount, kind) in enumerate(steps):
        start, end = (0.0, amount) if kind == "total" else (level, level + amount)
        level = end
        data.append(
            {
                "order": order,
                "step": label,
                "kind": kind,
                "start": start,
                "end": end,
                "amount": abs(amount),
            }
        )
    return _spec(
        220,
        data,
        mark={"type": "bar", "cornerRadius": 2},
        encoding={
            "x": {
                "field": "step",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "start",
                "type": "quantitative",
                "title": None,
                "axis": {"format": "~s"},
            },
            "y2": {"field": "end"},
            "color": {
                "field": "kind",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": list(_STEP_COLOURS), "range": list(_STEP_COLOURS.values())},
            },
            "tooltip": [
                {"field": "step"},
                {"field": "amount", "type": "quantitative", "format": _AMOUNT_FORMAT},
            ],
        },
    )


def attainment(bars: list[dict[str, Any]], pace_pct: float | None) -> Spec:
    """Bookings to date as a share of quota per team or rep, against the linear pace."""
    # 100% (the quota) and the pace line always in view.
    top = max([100.0, pace_pct or 0.0] + [bar["attainment_pct"] or 0.0 for bar in bars])
    layers: list[Spec] = [
        {
            "mark": {"type": "bar", "cornerRadius": 2, "color": "#2563eb"},
            "encoding": {
                "y": {"field": "name", "type": "nominal", "sort": "-x", "title": None},
                "x": {
                    "field": "attainment_pct",
                    "type": "quantitative",
                    "title": "% of quarter quota booked (dashed: linear pace)",
                    "scale": {"domain": [0, top]},
                },
                "tooltip": [
                    {"field": "name"},
                    {"field": "attainment_pct", "type": "quantitative", "format": ".1f"},
                    {"field": "bookings", "type": "quantitative", "format": _AMOUNT_FORMAT},
                    {"field": "quota", "type": "quantitative", "format": _AMOUNT_FORMAT},
                ],
            },
        }
    ]
    if pace_pct is not None:
        layers.append(
            {
                "mark": {
                    "type": "rule",
                    "color": "#f59e0b",
                    "strokeWidth": 2,
                    "strokeDash": [4, 3],
                },
                "encoding": {"x": {"datum": pace_pct, "type": "quantitative"}},
            }
        )
    return _spec(max(60, 26 * len(bars)), bars, layer=layers)


def funnel(steps: list[dict[str, Any]]) -> Spec:
    """Leads, MQLs, SQLs, opportunities and wins of the trailing year's cohorts."""
    # A log scale: the last steps are a few percent of the first; the bars carry counts.
    return _spec(
        170,
        steps,
        encoding={
            "y": {"field": "step", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "count",
                "type": "quantitative",
                "title": None,
                "scale": {"type": "symlog"},
                "axis": None,
            },
            "tooltip": [{"field": "step"}, {"field": "count", "type": "quantitative"}],
        },
        layer=[
            {"mark": {"type": "bar", "cornerRadius": 2, "color": "#0f766e"}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": "#0f172a"},
                "encoding": {"text": {"field": "count", "type": "quantitative", "format": ","}},
            },
        ],
    )


# Forecast categories, bottom to top: what is won, then what is ever less sure.
_FORECAST_COLOURS = {
    "Closed won": "#1d4ed8",
    "Commit": "#16a34a",
    "Best case": "#86efac",
    "Pipeline": "#cbd5e1",
}


def forecast(bars: list[dict[str, Any]], quotas: list[dict[str, Any]]) -> Spec:
    """Each quarter's closed won, commit, best case and pipeline stacked, against quota."""
    layers: list[Spec] = [
        {
            "data": {"values": bars},
            "mark": {"type": "bar", "cornerRadius": 2},
            "encoding": {
                "x": {
                    "field": "quarter",
                    "type": "nominal",
                    "title": None,
                    "sort": None,
                    "axis": {"labelAngle": 0},
                },
                "y": {
                    "field": "amount",
                    "type": "quantitative",
                    "title": None,
                    "axis": {"format": "~s"},
                    "stack": "zero",
                },
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "title": None,
                    "sort": list(_FORECAST_COLOURS),
                    "scale": {
                        "domain": list(_FORECAST_COLOURS),
                        "range": list(_FORECAST_COLOURS.values()),
                    },
                },
                "order": {"field": "order", "type": "quantitative"},
                "tooltip": [
                    {"field": "quarter"},
                    {"field": "category"},
                    {"field": "amount", "type": "quantitative", "format": _AMOUNT_FORMAT},
                ],
            },
        }
    ]
    if quotas:
        layers.append(
            {
                "data": {"values": quotas},
                "mark": {"type": "tick", "color": "#f59e0b", "thickness": 3, "size": 60},
                "encoding": {
                    "x": {"field": "quarter", "type": "nominal", "sort": None},
                    "y": {"field": "quota", "type": "quantitative"},
                    "tooltip": [
                        {"field": "quarter"},
                        {"field": "quota", "type": "quantitative", "format": _AMOUNT_FORMAT},
                    ],
                },
            }
        )
    spec = _spec(220, [], layer=layers)
    del spec["data"]
    return spec
