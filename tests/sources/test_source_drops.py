"""A drop's source: declared in `_manifest.json`, else the default setting, else canonical."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest.drops import DropRejectedError, read_drop
from dagster_project.ingest.sources import DEFAULT_SOURCE_SETTING

DAY = date(2025, 1, 1)


def drop_folder(tmp_path: Path, files: list[str], manifest: dict[str, str] | None) -> Path:
    folder = tmp_path / DAY.isoformat()
    folder.mkdir()
    for name in files:
        (folder / name).write_text("id\n1\n")
    if manifest is not None:
        (folder / "_manifest.json").write_text(json.dumps(manifest))
    return folder


def test_a_declared_source_maps_files_onto_its_own_raw_tables(tmp_path: Path) -> None:
    folder = drop_folder(tmp_path, ["sales_pipeline.csv", "accounts.csv"], {"source": "flat"})

    drop = read_drop(folder, DAY)

    assert drop.source == "flat"
    assert [f.entity for f in drop.files] == ["flat__accounts", "flat__sales_pipeline"]


def test_without_a_declared_source_the_setting_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEFAULT_SOURCE_SETTING, "flat")
    folder = drop_folder(tmp_path, ["sales_pipeline.csv"], {"mode": "full"})

    assert read_drop(folder, DAY).source == "flat"


def test_without_manifest_or_setting_a_drop_is_canonical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DEFAULT_SOURCE_SETTING, raising=False)
    folder = drop_folder(tmp_path, ["accounts.csv"], None)

    drop = read_drop(folder, DAY)

    assert (drop.source, [f.entity for f in drop.files]) == ("canonical", ["accounts"])


def test_a_file_of_another_format_is_named_with_the_files_expected(tmp_path: Path) -> None:
    folder = drop_folder(tmp_path, ["deals.csv"], {"source": "flat"})

    with pytest.raises(DropRejectedError) as rejected:
        read_drop(folder, DAY)

    assert str(rejected.value) == (
        "2025-01-01/deals.csv: unknown entity 'deals' in a flat drop; expected one of "
        "sales_pipeline, sales_teams, accounts, products, quotas; rename the file or "
        "remove it from the drop"
    )


def test_an_unknown_source_is_rejected_with_the_supported_ones(tmp_path: Path) -> None:
    folder = drop_folder(tmp_path, [], {"source": "pipedrive"})

    with pytest.raises(DropRejectedError, match=r"source 'pipedrive' .* has no adapter"):
        read_drop(folder, DAY)
