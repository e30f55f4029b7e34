"""Load `expectations/<entity>.json` into a Great Expectations suite the gate can run.

A suite file is what GX 1.x serializes (`ExpectationSuite.to_json_dict()`). On top of GX,
the gate reads per expectation `severity` (GX's own field: `critical` blocks, `warning`
and `info` record), `meta.failure` (what failing rows do, for messages) and `meta.hint`
(how to fix it). Column names the gate provides besides the raw text columns:
- `<column>::timestamp`, `<column>::date`, `<column>::number`: the raw text cast to that
  type (timestamps as UTC), null when it does not parse (a regex expectation checks that);
- `<column>::scale`, `<column>::drop_scale`: a share's scale (`percent` above 1, `fraction`
  between 0 and 1) and the scale most rows of its drop use;
- `_extract_date`: the drop's date; uniqueness is per drop, so a uniqueness expectation
  is `expect_compound_columns_to_be_unique` over `_extract_date` and the key;
- `_extract_end`: the end of the drop's extract date in any time zone.

The suite's `meta.drift` (`history_drops`, `times_median`, `points_above_median`) makes
every check block a drop whose failing share jumps far above that check's history.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from great_expectations.core import ExpectationSuite
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    Expectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from dagster_project.ingest.sources import suite_file
from dagster_project.quality.results import DriftRule, ExpectationSpec

TYPE_SEPARATOR = "::"
# `{value}` is the trimmed raw text. Timestamps become UTC without a zone, as in staging.
_SCALE = (
    "case when try_cast({value} as double) > 1 then 'percent' "
    "when try_cast({value} as double) > 0 and try_cast({value} as double) < 1 then 'fraction' end"
)
TYPED_COLUMN_CASTS = {
    "timestamp": "cast(try_cast({value} as timestamptz) as timestamp)",
    "date": "try_cast({value} as date)",
    "number": "try_cast({value} as double)",
    # A share's scale: 'percent' above 1, 'fraction' strictly between 0 and 1, else null
    # (0 and 1 read the same on both scales).
    "scale": _SCALE,
    # The scale most of the drop's rows use (of the part read, for a drop split in parts).
    "drop_scale": f"mode({_SCALE}) over (partition by _extract_date)",
}
EXTRACT_DATE_COLUMN = "_extract_date"
EXTRACT_END_COLUMN = "_extract_end"
GATE_COLUMNS = (EXTRACT_DATE_COLUMN, EXTRACT_END_COLUMN)
# GX returns a suite's results grouped its own way, not in file order; each expectation
# carries its file position in `meta` (in memory only) to be matched with its result.
POSITION_META_KEY = "gate_position"
# Expectations comparing rows with each other. Chunks hold several drops, so the key must
# include the drop's date; a drop split into chunks is split on the key's hash, so rows
# sharing a key meet in one chunk.
UNIQUENESS_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
# Only expectations that judge rows can be summed over chunks and split per drop.
_ROW_LEVEL_CLASSES = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
_COLUMN_KWARGS = ("column", "column_A", "column_B")
DRIFT_META_KEY = "drift"


class SuiteError(ValueError):
    """A suite file the gate cannot run; the message names the file and the expectation."""


@dataclass(frozen=True)
class TypedColumn:
    name: str  # as the suite names it, e.g. "amount::number"
    source: str  # the raw column, e.g. "amount"
    cast: str  # SQL with a `{value}` placeholder, from TYPED_COLUMN_CASTS


@dataclass(frozen=True)
class GateSuite:
    entity: str
    path: Path
    suite: ExpectationSuite
    specs: tuple[ExpectationSpec, ...]  # in the order of suite.expectations

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """The raw columns the expectations read, directly or through a typed column."""
        names = {source_column(column) for spec in self.specs for column in spec.columns}
        return tuple(sorted(names - set(GATE_COLUMNS)))

    @property
    def typed_columns(self) -> tuple[TypedColumn, ...]:
        names = sorted({c for spec in self.specs for c in spec.columns if TYPE_SEPARATOR in c})
        return tuple(_typed_column(name, str(self.path)) for name in names)

    @property
    def uniqueness_key(self) -> tuple[str, ...]:
        """Columns of the suite's uniqueness expectation; empty when it has none."""
        keys = {spec.columns for spec in self.specs if spec.type in UNIQUENESS_TYPES}
        return next(iter(keys), ())


def suite_path(entity: str, expectations_dir: Path) -> Path:
    return expectations_dir / suite_file(entity)


def load_suite(entity: str, expectations_dir: Path) -> GateSuite:
    """Read and check one suite file; raise SuiteError on anything the gate cannot run."""
    path = suite_path(entity, expectations_dir)
    if not path.is_file():
        raise SuiteError(f"{path}: no expectation suite for raw.{entity}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteError(f"{path}: not valid JSON ({error})") from error
    configurations = data.get("expectations") or []
    expectations = [
        _build_expectation(path, position, configuration)
        for position, configuration in enumerate(configurations, start=1)
    ]
    suite = ExpectationSuite(**{**data, "expectations": expectations})
    drift = _drift_rule(path, (data.get("meta") or {}).get(DRIFT_META_KEY))
    specs = tuple(
        _spec(path, position, expectation, configuration, drift)
        for position, (expectation, configuration) in enumerate(
            zip(expectations, configurations, strict=True), start=1
        )
    )
    keys = {spec.columns for spec in specs if spec.type in UNIQUENESS_TYPES}
    if len(keys) > 1:
        raise SuiteError(
            f"{path}: more than one uniqueness key ({'; '.join(map(', '.join, sorted(keys)))}); "
            "the gate splits large drops on one key, so a suite may have one"
        )
    gate_suite = GateSuite(entity=entity, path=path, suite=suite, specs=specs)
    if keys and EXTRACT_DATE_COLUMN not in gate_suite.uniqueness_key:
        raise SuiteError(
            f"{path}: ids are unique per drop: use expect_compound_columns_to_be_unique with "
            f"{EXTRACT_DATE_COLUMN} in column_list"
        )
    return gate_suite


def source_column(column: str) -> str:
    """The raw column behind a column name of a suite: `amount::number` -> `amount`."""
    return column.split(TYPE_SEPARATOR, 1)[0]


def _build_expectation(path: Path, position: int, configuration: Mapping[str, Any]) -> Expectation:
    label = f"{path}: expectation {position} ({configuration.get('type', 'no type')})"
    meta = {**(configuration.get("meta") or {}), POSITION_META_KEY: position}
    try:
        expectation = ExpectationConfiguration(**{**configuration, "meta": meta}).to_domain_obj()
    except Exception as error:  # GX raises many types for a bad configuration
        raise SuiteError(f"{label}: {error}") from error
    if not isinstance(expectation, _ROW_LEVEL_CLASSES):
        raise SuiteError(
            f"{label}: only row-level expectations (column, column pair, multicolumn map) "
            "can be checked drop by drop in chunks"
        )
    return expectation


def _drift_rule(path: Path, settings: object) -> DriftRule | None:
    if settings is None:
        return None
    fields = ("history_drops", "times_median", "points_above_median", "min_failing_rows")
    example = (
        '{"history_drops": 30, "times_median": 3, "points_above_median": 5, "min_failing_rows": 10}'
    )
    if not isinstance(settings, Mapping) or set(settings) != set(fields):
        raise SuiteError(f"{path}: meta.{DRIFT_META_KEY} must be {example}")
    values = [settings[name] for name in fields]
    if not all(isinstance(value, int | float) and value > 0 for value in values):
        raise SuiteError(f"{path}: meta.{DRIFT_META_KEY}: every number must be positive")
    for count in ("history_drops", "min_failing_rows"):
        if not isinstance(settings[count], int):
            raise SuiteError(f"{path}: meta.{DRIFT_META_KEY}: {count} is a whole number")
    return DriftRule(
        history_drops=settings["history_drops"],
        times_median=float(settings["times_median"]),
        points_above_median=float(settings["points_above_median"]),
        min_failing_rows=settings["min_failing_rows"],
    )


def _spec(
    path: Path,
    position: int,
    expectation: Expectation,
    configuration: Mapping[str, Any],
    drift: DriftRule | None,
) -> ExpectationSpec:
    kwargs = configuration.get("kwargs", {})
    meta = configuration.get("meta") or {}
    columns = tuple(kwargs[key] for key in _COLUMN_KWARGS if key in kwargs)
    columns += tuple(kwargs.get("column_list", ()))
    condition = kwargs.get("row_condition")
    if condition is not None and not _is_structured(condition):
        raise SuiteError(
            f"{path}: expectation {position}: write row_condition in GX's structured form "
            '({"type": "comparison", "column": {"name": ...}, "operator": ..., "parameter": ...}) '
            "so the gate knows which columns it reads"
        )
    columns += tuple(_condition_columns(condition))
    for column in columns:  # refuse an unknown type here, with the expectation's position
        if TYPE_SEPARATOR in column:
            _typed_column(column, f"{path}: expectation {position}")
    mostly = kwargs.get("mostly", 1.0)
    reported = [source_column(column) for column in columns if column not in GATE_COLUMNS]
    return ExpectationSpec(
        position=position,
        type=expectation.expectation_type,
        columns=tuple(dict.fromkeys(columns)),
        reported_columns=tuple(dict.fromkeys(reported)),
        severity=str(expectation.severity.value),
        mostly=float(mostly),
        failure=meta.get("failure", "fail the expectation"),
        hint=meta.get("hint"),
        drift=drift,
    )


def _is_structured(condition: object) -> bool:
    return isinstance(condition, Mapping) and condition.get("type") != "pass_through"


def _condition_columns(condition: object) -> Iterator[str]:
    """Columns a structured GX row_condition compares, at any depth of and/or groups."""
    if not isinstance(condition, Mapping):
        return
    column = condition.get("column")
    if isinstance(column, Mapping) and isinstance(column.get("name"), str):
        yield column["name"]
    for nested in condition.get("conditions", ()):
        yield from _condition_columns(nested)


def _typed_column(name: str, where: str) -> TypedColumn:
    source, _, type_name = name.partition(TYPE_SEPARATOR)
    if type_name not in TYPED_COLUMN_CASTS or source in GATE_COLUMNS:
        types = "|".join(TYPED_COLUMN_CASTS)
        raise SuiteError(f"{where}: column {name}: write <raw column>::<{types}>")
    return TypedColumn(name=name, source=source, cast=TYPED_COLUMN_CASTS[type_name])
