"""The shared published sample, as the mart tests read it.

Each mart test recomputes its figures from this sample's drops with pandas,
independently of the SQL, and compares them with the marts the pipeline built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.settings import Paths


@pytest.fixture(scope="session")
def sample(published_sample: Paths) -> tuple[Path, Path]:
    """(landing, warehouse) of the published seed-11 sample of 8 reps over 75 days."""
    return published_sample.landing, published_sample.warehouse
