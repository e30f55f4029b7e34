"""A warehouse that published the good drop of the bad-extract corpus, built once.

Tests copy it and deliver one more drop on top, so each only loads, gates and, where it
gets that far, builds: the published state is made once per session, by whichever
pytest-xdist worker asks first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from corpus import GOOD_DROP
from pipeline_runs import run_in
from shared_states import installation, shared_state

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.settings import Paths


def publish_the_good_drop(root: Path) -> None:
    paths = installation(root)
    shutil.copytree(GOOD_DROP, paths.landing / GOOD_DROP.name)
    assert run_in(paths).exit_code == EXIT_PUBLISHED


@pytest.fixture(scope="session")
def good_state(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """Landing with the corpus' good drop, and a warehouse that published it."""
    return installation(shared_state(tmp_path_factory, "good_state", publish_the_good_drop))
