"""The export formats pipehealth reads and the raw tables each one loads into.

A drop names its format in `_manifest.json` ("source"); without one, the setting
`PIPEHEALTH_DEFAULT_SOURCE` decides, else the canonical contract v1. Each format's
files load into their own raw tables, so its staging models read only its own data.
"""

from __future__ import annotations

import os

from dagster_project.ingest import contract, flat_contract, hubspot_contract, salesforce_contract
from dagster_project.ingest.contract import EntityContract

CANONICAL = "canonical"
DEFAULT_SOURCE_SETTING = "PIPEHEALTH_DEFAULT_SOURCE"

# No CRM exports quotas: a drop of any format may carry the canonical `quotas` file,
# kept beside the export by the user, which loads into raw.quotas.
_QUOTAS = {"quotas": contract.ENTITIES["quotas"]}

SOURCES: dict[str, dict[str, EntityContract]] = {
    CANONICAL: contract.ENTITIES,
    flat_contract.SOURCE: {**flat_contract.ENTITIES, **_QUOTAS},
    salesforce_contract.SOURCE: {**salesforce_contract.ENTITIES, **_QUOTAS},
    hubspot_contract.SOURCE: {**hubspot_contract.ENTITIES, **_QUOTAS},
}

# What each format cannot give, declared beside its contract; canonical drops carry
# every entity of contract v1.
UNAVAILABLE_FIGURES: dict[str, tuple[str, ...]] = {
    CANONICAL: (),
    flat_contract.SOURCE: flat_contract.UNAVAILABLE_FIGURES,
    salesforce_contract.SOURCE: salesforce_contract.UNAVAILABLE_FIGURES,
    hubspot_contract.SOURCE: hubspot_contract.UNAVAILABLE_FIGURES,
}

# Every raw table of every source, by table name: all exist (empty until a drop of
# their source arrives), so every staging model always compiles and runs.
RAW_TABLES: dict[str, EntityContract] = {
    name: entity for entities in SOURCES.values() for name, entity in entities.items()
}


def default_source() -> str:
    """The source of a drop without a declared one."""
    return os.environ.get(DEFAULT_SOURCE_SETTING, "").strip() or CANONICAL


def contract_for_file(source: str, file_stem: str) -> EntityContract | None:
    """The contract of a file named `<file_stem>.<format>` in a drop of `source`."""
    return next(
        (entity for entity in SOURCES[source].values() if entity.file_stem == file_stem), None
    )


def suite_file(entity: str) -> str:
    """The raw gate's suite of a raw table, relative to `expectations/`: `<entity>.json`
    for canonical tables, `<source>/<file>.json` for the other formats."""
    contract = RAW_TABLES.get(entity)
    if contract is None or contract.source == CANONICAL:
        return f"{entity}.json"
    return f"{contract.source}/{contract.file_stem}.json"
