"""Where the third-party CRM exports live (tests/fixtures/third_party/, see its README),
and drops made of them."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import date
from pathlib import Path

from pipeline_runs import run_in

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.settings import Paths

MAVEN_FILES = ("sales_pipeline", "sales_teams", "accounts", "products")


THIRD_PARTY_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"


def maven_dir() -> Path:
    return THIRD_PARTY_DIR / "maven_crm_sales_opportunities"


def write_drop(landing: Path, day: date, source: str, files: dict[str, Path]) -> Path:
    """A complete full-export drop of `source`: `files` by their name in the drop."""
    folder = landing / day.isoformat()
    folder.mkdir(parents=True)
    for name, path in files.items():
        shutil.copyfile(path, folder / name)
    (folder / "_manifest.json").write_text(json.dumps({"mode": "full", "source": source}))
    (folder / "_SUCCESS").touch()
    return folder


def write_maven_drop(landing: Path, day: date) -> Path:
    return write_drop(
        landing, day, "flat", {f"{name}.csv": maven_dir() / f"{name}.csv" for name in MAVEN_FILES}
    )


def run_to_published(paths: Paths) -> str:
    """`pipehealth run` on `paths`, which must publish; what it printed (its summary)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exit_code = run_in(paths).exit_code
    assert exit_code == EXIT_PUBLISHED, printed.getvalue()
    return printed.getvalue()
