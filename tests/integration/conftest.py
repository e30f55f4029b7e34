"""A warehouse that published the good drop of the bad-extract corpus, built once.

Tests copy it and deliver one more drop on top, so each only loads, gates and, where it
gets that far, builds: the published state is made once per session.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from corpus import GOOD_DROP, run_in

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.settings import Paths


@pytest.fixture(scope="session")
def good_state(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """Landing with the corpus' good drop, and a warehouse that published it."""
    root = tmp_path_factory.mktemp("good_state")
    paths = Paths(landing=root / "landing", warehouse=root / "warehouse")
    shutil.copytree(GOOD_DROP, paths.landing / GOOD_DROP.name)
    assert run_in(paths).exit_code == EXIT_PUBLISHED
    return paths
