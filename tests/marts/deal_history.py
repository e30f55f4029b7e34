"""Deal versions before each deal's first extract, replayed from deal_field_history in pandas.

The recomputation the mart tests compare with: per tracked field an as-of lookup
(`merge_asof`) of its latest change at or before each version start, else the old value
of its next change, else the deal's first extracted value (as for every untracked
field). Versions start at the deal's creation and at every change before its first
extract; only deals with such changes get them; none is deleted.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TRACKED_FIELDS = ("stage", "amount", "probability", "expected_close_date", "owner_id", "currency")


def field_changes(landing: Path) -> pd.DataFrame:
    frames = [pd.read_csv(path, dtype=str) for path in landing.glob("*/deal_field_history.csv")]
    changes = pd.concat(frames, ignore_index=True).drop_duplicates()
    changes["changed_at"] = pd.to_datetime(changes["changed_at"], utc=True)
    return changes[changes["field"].isin(TRACKED_FIELDS)]


def versions_before_first_extract(landing: Path, extracted: pd.DataFrame) -> pd.DataFrame:
    """Rows shaped like `extracted` (text tracked fields), one per rebuilt version."""
    first = extracted.sort_values(["updated_at", "drop_date"]).drop_duplicates("deal_id")
    first = first.set_index("deal_id")
    changes = field_changes(landing)
    changes = changes[changes["changed_at"] < changes["deal_id"].map(first["updated_at"])]
    deals = first.loc[changes["deal_id"].unique()]
    created = pd.to_datetime(deals["created_at"], utc=True)
    starts = pd.concat(
        [
            changes[["deal_id", "changed_at"]].rename(columns={"changed_at": "start"}),
            pd.DataFrame({"deal_id": deals.index, "start": created.to_numpy()})[
                (created < deals["updated_at"]).to_numpy()
            ],
        ]
    ).drop_duplicates()
    rebuilt = starts.sort_values("start").reset_index(drop=True)
    for field in TRACKED_FIELDS:
        of_field = changes[changes["field"].eq(field)].sort_values("changed_at")
        so_far = pd.merge_asof(
            rebuilt[["deal_id", "start"]],
            of_field[["deal_id", "changed_at", "new_value"]],
            left_on="start",
            right_on="changed_at",
            by="deal_id",
        )
        next_change = pd.merge_asof(
            rebuilt[["deal_id", "start"]],
            of_field[["deal_id", "changed_at", "old_value"]],
            left_on="start",
            right_on="changed_at",
            by="deal_id",
            direction="forward",
            allow_exact_matches=False,
        )
        value = so_far["new_value"].where(so_far["changed_at"].notna(), next_change["old_value"])
        rebuilt[field] = value.fillna(rebuilt["deal_id"].map(first[field]))
    untracked = first.drop(columns=[*TRACKED_FIELDS, "updated_at", "is_deleted"])
    rebuilt = rebuilt.join(untracked, on="deal_id")
    # Untracked too, the deal's own forecast category holds only in its first extracted
    # version's stage; in an earlier one, the stage's applies (docs/metrics.md).
    in_first_stage = rebuilt["stage"].eq(rebuilt["deal_id"].map(first["stage"]))
    rebuilt["forecast_category"] = rebuilt["forecast_category"].where(in_first_stage)
    return rebuilt.rename(columns={"start": "updated_at"}).assign(is_deleted=False)
