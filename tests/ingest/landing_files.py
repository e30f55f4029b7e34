"""Writing small landing drops for the loader's tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

LOADED_AT = datetime(2025, 1, 10, 6, 0)
DEAL_HEADER = (
    "deal_id,deal_name,account_id,owner_id,pipeline,stage,amount,currency,"
    "expected_close_date,created_at,updated_at"
)
FIRST_DAY_DEALS = [
    'd1,"Acme, Inc",a1,u1,new_business,qualification,100.00,USD,2025-02-01,'
    "2025-01-01T10:00:00Z,2025-01-01T10:00:00Z",
    "d2,Beta,a1,u1,new_business,demo,200.00,EUR,2025-02-01,"
    "2025-01-01T10:00:00Z,2025-01-01T11:00:00Z",
]


def write_drop(
    landing: Path,
    day: str,
    files: dict[str, list[str]],
    *,
    complete: bool = True,
    manifest: dict[str, str] | None = None,
) -> Path:
    folder = landing / day
    folder.mkdir(parents=True)
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if manifest is not None:
        (folder / "_manifest.json").write_text(json.dumps(manifest))
    if complete:
        (folder / "_SUCCESS").touch()
    return folder


def full_export(landing: Path, day: str = "2025-01-01") -> Path:
    return write_drop(
        landing,
        day,
        {
            "users.csv": [
                "user_id,full_name,role,is_active,updated_at",
                "u1,Ann Lee,rep,true,2025-01-01T00:00:00Z",
            ],
            "accounts.csv": [
                "account_id,account_name,created_at,updated_at",
                "a1,Acme,2024-12-01T00:00:00Z,2024-12-01T00:00:00Z",
            ],
            "deals.csv": [DEAL_HEADER, *FIRST_DAY_DEALS],
        },
    )
