"""What the gate found, as plain values: no Great Expectations objects, so the Dagster and
reporting side can use them without importing GX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

BLOCKING_SEVERITY = "critical"


@dataclass(frozen=True)
class DriftRule:
    """A check blocks a drop whose failing share jumps far above the check's own history:
    a dirty CRM is dirty every day, a broken export changes suddenly."""

    history_drops: int  # the baseline is the median share of the entity's last N loaded drops
    times_median: float  # blocks above this multiple of the baseline ...
    points_above_median: float  # ... when also this many percentage points above it ...
    # ... and at least this many rows fail: in a daily drop of a few changed deals, mostly
    # new ones, a handful without an amount is a large share and no broken export.
    min_failing_rows: int

    def exceeded(self, share: float, baseline: float, failing_rows: int) -> bool:
        return (
            failing_rows >= self.min_failing_rows
            and share > self.times_median * baseline
            and 100 * (share - baseline) > self.points_above_median
        )


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite file, as the gate needs to know it."""

    position: int  # 1-based position in the suite file
    type: str
    columns: tuple[str, ...]  # as the kwargs name them, e.g. ("closed_at::timestamp", ...)
    # The columns a message names: `columns` without the ones the gate provides
    # (`_extract_date`, `_extract_end`), and raw columns for typed ones.
    reported_columns: tuple[str, ...]
    severity: str  # GX FailureSeverity: critical | warning | info
    mostly: float
    failure: str  # what failing rows do, e.g. "do not parse as a number"
    hint: str | None  # how to fix it, e.g. "add it to dbt/seeds/pipeline_stages.csv"
    drift: DriftRule | None = None  # None: the suite sets no drift rule

    @property
    def key(self) -> tuple[int, str, str]:
        """What ties a check to its earlier results in audit.check_results."""
        return (self.position, self.type, ", ".join(self.reported_columns))

    @property
    def blocks(self) -> bool:
        return self.severity == BLOCKING_SEVERITY


@dataclass(frozen=True)
class PendingDrop:
    """The rows one drop added to a raw table, not gated yet."""

    extract_date: date
    source_files: str  # e.g. "2025-01-03/deals.csv"
    rows: int  # versions the drop added to raw: its new and changed rows
    # Rows of the drop's files that repeat the stored version of their key (a full export's
    # untouched rows): not stored again, so not checked again, but part of the drop.
    unchanged_rows: int = 0

    @property
    def rows_in_files(self) -> int:
        return self.rows + self.unchanged_rows


@dataclass(frozen=True)
class FailingRow:
    source_file: str
    source_row: int
    values: tuple[tuple[str, str | None], ...]  # (raw column, value as in raw)


class Outcome(StrEnum):
    PASSED = "passed"
    WARNED = "warned"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation over all rows of one drop."""

    drop: PendingDrop
    spec: ExpectationSpec
    failing_rows: int
    # Rows GX counted for `mostly` (non-null ones for most expectations); only needed, and
    # only known, when the expectation has a tolerance and some rows fail.
    checked_rows: int | None
    examples: tuple[FailingRow, ...]
    # The median failing share of this check over the drops loaded before this one
    # (at most the suite's `history_drops`); None when there are none, or no drift rule.
    baseline: float | None = None
    history_drops: int = 0

    @property
    def failing_share(self) -> float:
        """Failing rows over every row of the drop's files (unchanged rows pass)."""
        rows = self.drop.rows_in_files
        return self.failing_rows / rows if rows else 0.0

    @property
    def drifted(self) -> bool:
        """The failing share jumped far above this check's history (the suite's drift rule)."""
        rule = self.spec.drift
        return (
            rule is not None
            and self.baseline is not None
            and self.failing_rows > 0
            and rule.exceeded(self.failing_share, self.baseline, self.failing_rows)
        )

    @property
    def passed(self) -> bool:
        """GX's verdict on the whole drop: the share of rows that pass is at least `mostly`.

        The drop's unchanged rows count as passing: they were judged when first stored. So
        one implausible deal among the few a daily full export changed is judged against
        the whole export, as it would be on its first load, not against the changed rows.
        """
        if self.failing_rows == 0:
            return True
        if self.judged_rows is None:
            return False
        return (self.judged_rows - self.failing_rows) / self.judged_rows >= self.spec.mostly

    @property
    def judged_rows(self) -> int | None:
        """The rows `mostly` is judged on: the checked ones plus the drop's unchanged rows."""
        if self.checked_rows is None:
            return None
        return self.checked_rows + self.drop.unchanged_rows

    @property
    def outcome(self) -> Outcome:
        if self.failing_rows == 0:
            return Outcome.PASSED
        if (not self.passed and self.spec.blocks) or self.drifted:
            return Outcome.BLOCKED
        return Outcome.WARNED


@dataclass(frozen=True)
class GateReport:
    """One gate run over one entity: every expectation for every pending drop."""

    entity: str
    run_id: str
    drops: tuple[PendingDrop, ...]
    results: tuple[ExpectationResult, ...]

    @property
    def blocking(self) -> list[ExpectationResult]:
        return [result for result in self.results if result.outcome is Outcome.BLOCKED]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [result for result in self.results if result.outcome is Outcome.WARNED]

    @property
    def passed_drops(self) -> list[PendingDrop]:
        blocked = {result.drop.extract_date for result in self.blocking}
        return [drop for drop in self.drops if drop.extract_date not in blocked]
