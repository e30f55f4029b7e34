"""Amounts convert only through the seed's rates into the configured reporting currency:
changing `reporting_currency` without adding rates into it stops the build with a test
that names each currency left without a rate, instead of publishing wrong amounts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from dbt_cli import run_dbt

from dagster_project.report.build import reporting_currency as project_reporting_currency
from dagster_project.settings import BUILD_DATABASE_NAME

CURRENCY_TEST = "assert_every_currency_has_a_rate_to_the_reporting_currency"
DEFAULT_REPORTING_CURRENCY = project_reporting_currency()


def currencies_without_a_rate(warehouse: Path, reporting_currency: str) -> set[tuple[str, str]]:
    """Rebuild the rate periods for `reporting_currency` and run the test, in one `dbt
    build` (the test only: the model's own tests need not pass); the rows it stores are
    (currency, reporting currency) pairs without a rate. The project's own currency is
    given as no var, so it needs no parse of the whole project."""
    dbt_vars = (
        []
        if reporting_currency == DEFAULT_REPORTING_CURRENCY
        else ["--vars", json.dumps({"reporting_currency": reporting_currency})]
    )
    run_dbt(
        warehouse,
        "build",
        "--select",
        f"int_currency_rate_periods {CURRENCY_TEST}",
        "--indirect-selection",
        "empty",
        "--store-failures",
        *dbt_vars,
        succeeds=reporting_currency == DEFAULT_REPORTING_CURRENCY,
    )
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        rows = connection.execute(
            f"select currency, reporting_currency from dbt_test__audit.{CURRENCY_TEST}"
        ).fetchall()
    return set(rows)


def test_a_reporting_currency_without_rates_into_it_stops_the_build(
    sample: tuple[Path, Path], tmp_path: Path
) -> None:
    """The sample's deals, quotas and OTEs are in USD, EUR and GBP, and the seed holds
    rates into USD: with USD every currency converts; with EUR, USD and GBP do not."""
    _, shared_warehouse = sample
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy(shared_warehouse / BUILD_DATABASE_NAME, warehouse / BUILD_DATABASE_NAME)
    assert currencies_without_a_rate(warehouse, "USD") == set()
    assert currencies_without_a_rate(warehouse, "EUR") == {("USD", "EUR"), ("GBP", "EUR")}
