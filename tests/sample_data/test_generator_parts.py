"""Known answers for the generator's building blocks, on hand-made inputs."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from dagster_project.sample_data import exports
from dagster_project.sample_data.clock import Clock, last_business_day_of_quarter
from dagster_project.sample_data.drops import select_sql
from dagster_project.sample_data.org import _pick_active, apportion
from dagster_project.sample_data.versions import (
    build_versions,
    changes,
    concat_changes,
    latest_per_drop,
)


def test_apportion_splits_by_largest_remainder():
    assert apportion(6, np.array([0.5, 0.3, 0.2])).tolist() == [3, 2, 1]
    assert apportion(4, np.array([1.0, 1.0, 1.0])).tolist() == [2, 1, 1]
    assert apportion(0, np.array([0.7, 0.3])).tolist() == [0, 0]


def test_versions_forward_fill_fields_and_merge_same_time_events():
    created = changes([1, 2], [10, 10], stage=np.array([0, 0]), amount=np.array([100, 200]))
    later = concat_changes(
        [
            created,
            changes([1], [20], stage=np.array([3])),
            changes([1], [20], amount=np.array([150])),
            changes([2], [30], amount=np.array([250])),
        ]
    )
    versions = build_versions(later)
    assert versions.entity.tolist() == [1, 1, 2, 2]
    assert versions.time.tolist() == [10, 20, 10, 30]
    assert versions.values["stage"].tolist() == [0, 3, 0, 0]
    assert versions.values["amount"].tolist() == [100, 150, 200, 250]


def test_versions_need_the_first_event_to_set_every_field():
    events = concat_changes(
        [changes([1], [10], stage=np.array([0])), changes([1], [5], amount=np.array([1]))]
    )
    with pytest.raises(ValueError, match="first event"):
        build_versions(events)


def test_latest_per_drop_keeps_the_last_version_of_each_day():
    entity = np.array([1, 1, 1, 2, 2])
    drop = np.array([0, 0, 3, 3, 3])
    assert latest_per_drop(entity, drop).tolist() == [1, 2, 4]


def test_pick_active_chooses_only_members_of_the_group_active_that_day():
    group = np.array([0, 1, 0, 1])
    active = np.array(
        [
            [True, False],
            [True, True],
            [False, True],
            [False, False],
        ]
    )
    query_group = np.array([0, 0, 1, 1, 0])
    query_day = np.array([0, 1, 0, 1, 1])
    u = np.array([0.0, 0.99, 0.5, 0.5, 0.0])
    assert _pick_active(group, active, query_group, query_day, u).tolist() == [0, 2, 1, 1, 2]
    nobody = _pick_active(
        group, np.zeros_like(active), np.array([0]), np.array([0]), np.array([0.3])
    )
    assert nobody.tolist() == [-1]


def test_business_time_moves_forward_over_weekends():
    clock = Clock(date(2025, 1, 10), 5)  # warm-up starts on Sunday 2024-07-14
    anchor = clock.business_anchor(np.array([0]))
    assert clock.dates(anchor)[0] == np.datetime64("2024-07-15")
    times = clock.work_time(anchor.repeat(3), np.array([0.0, 0.5, 5.0]), np.array([1, 1, 1]))
    stamps = times.astype("datetime64[s]").astype(str).tolist()
    assert stamps == ["2024-07-15T07:00:00", "2024-07-15T12:00:00", "2024-07-22T07:00:00"]


def test_quarter_end_is_the_last_business_day():
    days = np.array(["2025-05-07", "2025-08-30"], dtype="datetime64[D]")
    assert last_business_day_of_quarter(days).astype(str).tolist() == ["2025-06-30", "2025-09-30"]


def test_csv_lines_quote_only_text_that_needs_it():
    rows = pa.table(
        {
            "deal_id": pa.array([1, 2]),
            "field": pa.array(["stage", "amount"]),
            "_old_number": pa.array([None, 123456], pa.int64()),
            "_new_number": pa.array([None, 99], pa.int64()),
            "_old_text": pa.array([None, None], pa.string()),
            "_new_text": pa.array(['say "hi", ok', None]),
            "changed_at": pa.array([0, 86_400], pa.timestamp("s")),
        }
    )
    con = duckdb.connect()
    con.register("export_rows", rows)
    lines = [r[0] for r in con.execute(select_sql("deal_field_history", "csv")).fetchall()]
    assert lines == [
        'D0000001,stage,,"say ""hi"", ok",1970-01-01T00:00:00Z\n',
        "D0000002,amount,1234.56,0.99,1970-01-02T00:00:00Z\n",
    ]


def test_chunks_are_cut_only_between_drops(monkeypatch):
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 3)
    table = pa.table({exports.DROP_COLUMN: pa.array([0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3], pa.int32())})
    chunks = [chunk.column(exports.DROP_COLUMN).to_pylist() for chunk in exports.in_chunks(table)]
    assert chunks == [[0, 0, 0, 0], [1, 1], [2, 3, 3, 3, 3]]
