"""A tiny warehouse in the raw layout, with seeds beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from raw_layout import add_owners

from dagster_project.ingest.raw_tables import ensure_raw_schema

PIPELINE_STAGES_CSV = """\
pipeline,stage,stage_order,default_probability,is_closed,is_won,forecast_category
new_business,qualification,1,0.10,false,false,pipeline
new_business,demo,2,0.40,false,false,pipeline
new_business,closed_won,3,1.00,true,true,closed
new_business,closed_lost,4,0.00,true,false,omitted
expansion,demo,1,0.50,false,false,pipeline
expansion,closed_won,2,1.00,true,true,closed
"""
ACTIVITY_TYPES_CSV = """\
activity_type,activity_group,is_touch,is_meeting,description
call,call,true,false,Phone call
demo,meeting,false,true,Product demo
"""
STAGE_MAPPINGS_CSV = """\
source,source_pipeline,source_stage,pipeline,stage
flat,default,Won,new_business,closed_won
"""


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "pipeline_stages.csv").write_text(PIPELINE_STAGES_CSV)
    (seeds / "activity_types.csv").write_text(ACTIVITY_TYPES_CSV)
    (seeds / "stage_mappings.csv").write_text(STAGE_MAPPINGS_CSV)
    return seeds


@pytest.fixture
def warehouse_dir(tmp_path: Path) -> Path:
    return tmp_path / "warehouse"


@pytest.fixture
def connection(warehouse_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse_dir.mkdir()
    with duckdb.connect(str(warehouse_dir / "build.duckdb")) as opened:
        ensure_raw_schema(opened)
        add_owners(opened)
        yield opened
