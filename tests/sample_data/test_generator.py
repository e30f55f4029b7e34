"""The sample CRM generator: drop layout, contract conformance, consistency, realism.

Small runs (a few reps, weeks of drops) check structure; one larger run checks that the
figures land in the benchmark ranges of docs/architecture.md "Sample data".
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.contract import ENTITIES as CONTRACT
from dagster_project.sample_data import DEFAULT_START_DATE, generate
from dagster_project.sample_data.contract import ENTITIES, ENTITY_COLUMNS, Kind, column_names

SMALL = {"seed": 7, "reps": 8, "days": 60}
KEYS = {
    "users": ("user_id",),
    "accounts": ("account_id",),
    "leads": ("lead_id",),
    "deals": ("deal_id",),
    "activities": ("activity_id",),
    "quotas": ("owner_id", "period_start"),
    "deal_field_history": ("deal_id", "field", "changed_at"),
}
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
PATTERNS = {
    Kind.TIMESTAMP: TIMESTAMP,
    Kind.DATE: DATE,
    Kind.MONEY: r"^\d+\.\d{2}$",
    Kind.INTEGER: r"^-?\d+$",
    Kind.BOOLEAN: r"^(true|false)$",
    Kind.TEXT: r"^.+$",
}
HISTORY_PATTERNS = {
    "stage": r"^(qualification|discovery|demo|proposal|negotiation|closed_won|closed_lost)$",
    "amount": PATTERNS[Kind.MONEY],
    "expected_close_date": DATE,
    "probability": r"^\d{1,3}$",
    "owner_id": r"^U\d{6}$",
    "currency": r"^(USD|EUR|GBP)$",
}


def load(root: Path, extension: str = "csv") -> duckdb.DuckDBPyConnection:
    """Every drop as views `<entity>_rows` (all text, plus drop_date) over the files."""
    con = duckdb.connect()
    readers = {
        "csv": "read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', "
        "auto_detect = false, columns = {columns}, filename = true)",
        "parquet": "read_parquet(?, filename = true)",
        "jsonl": "read_json(?, format = 'newline_delimited', filename = true, columns = {columns})",
    }
    for entity in ENTITIES:
        columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in column_names(entity)) + "}"
        reader = readers[extension].format(columns=columns)
        relation = con.sql(
            f"select * exclude (filename), "
            f"cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1) as date) "
            f"as drop_date from {reader}",
            params=[str(root / "*" / f"{entity}.{extension}")],
        )
        relation.to_table(f"{entity}_rows")
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchall()[0][0]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small") / "landing"
    generate(out, **SMALL)
    return out


@pytest.fixture(scope="module")
def small(small_run) -> duckdb.DuckDBPyConnection:
    return load(small_run)


# -- determinism and the output folder -------------------------------------------------


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_and_arguments_give_identical_bytes(tmp_path, small_run):
    generate(tmp_path / "again", **SMALL)
    assert files_of(tmp_path / "again") == files_of(small_run)


def test_another_seed_gives_other_data(tmp_path, small_run):
    generate(tmp_path / "other", **{**SMALL, "seed": 8})
    first = (small_run / DEFAULT_START_DATE.isoformat() / "deals.csv").read_bytes()
    other = (tmp_path / "other" / DEFAULT_START_DATE.isoformat() / "deals.csv").read_bytes()
    assert first != other


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "2024-11-01").mkdir()
    with pytest.raises(ValueError, match="not empty"):
        generate(tmp_path, reps=4, days=2)


def test_summary_counts_what_was_written(tmp_path):
    summary = generate(tmp_path / "out", reps=4, days=5, start_date=date(2025, 3, 1))
    assert (summary.drops, summary.first_drop, summary.last_drop) == (
        5,
        date(2025, 3, 1),
        date(2025, 3, 5),
    )
    con = load(tmp_path / "out")
    for entity in ENTITIES:
        assert summary.rows[entity] == scalar(con, f"select count(*) from {entity}_rows")


# -- drop layout and contract ------------------------------------------------------------


def test_one_sealed_drop_per_day(small_run):
    folders = sorted(p.name for p in small_run.iterdir())
    expected = [(DEFAULT_START_DATE + timedelta(days=i)).isoformat() for i in range(60)]
    assert folders == expected
    for index, name in enumerate(folders):
        drop = small_run / name
        manifest = json.loads((drop / "_manifest.json").read_text())
        assert manifest == {"mode": "full" if index == 0 else "incremental", "source": "canonical"}
        success = drop / "_SUCCESS"
        assert success.read_bytes() == b""
        others = [p for p in drop.iterdir() if p.name != "_SUCCESS"]
        assert all(p.stat().st_mtime_ns <= success.stat().st_mtime_ns for p in others)


def test_first_drop_is_a_full_export(small_run):
    first = small_run / DEFAULT_START_DATE.isoformat()
    assert {p.name for p in first.iterdir()} == {f"{e}.csv" for e in ENTITIES} | {
        "_manifest.json",
        "_SUCCESS",
    }


def test_first_drop_holds_the_warm_up_pipeline_and_history(small):
    stages = {
        stage
        for (stage,) in small.execute(
            "select distinct stage from deals_rows where drop_date = ?", [DEFAULT_START_DATE]
        ).fetchall()
    }
    assert {"qualification", "proposal", "closed_won", "closed_lost"} <= stages
    warm_up_changes = scalar(
        small,
        "select count(*) from deal_field_history_rows "
        f"where changed_at < '{(DEFAULT_START_DATE - timedelta(days=90)).isoformat()}'",
    )
    assert warm_up_changes > 0


def test_the_generator_renders_exactly_the_contract_columns():
    assert set(ENTITY_COLUMNS) == set(CONTRACT)
    for entity, columns in ENTITY_COLUMNS.items():
        assert [column.name for column in columns] == list(CONTRACT[entity].columns), entity


def test_headers_are_the_contract_columns_in_order(small_run):
    for path in small_run.rglob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(CONTRACT[path.stem].columns), path


def test_values_parse_and_required_columns_are_filled(small):
    for entity, columns in ENTITY_COLUMNS.items():
        for column in columns:
            name = column.name
            if column.kind is Kind.ID:
                fmt = column.id_format
                pattern = f"^{fmt.prefix}\\d{{{fmt.digits}}}$"
            elif entity == "deal_field_history" and name in ("old_value", "new_value"):
                continue
            else:
                pattern = PATTERNS[column.kind]
            bad = small.execute(
                f"select count(*) from {entity}_rows "
                f"where {name} is not null and not regexp_matches({name}, ?)",
                [pattern],
            ).fetchall()[0][0]
            assert bad == 0, f"{entity}.{name} has values not matching {pattern}"
            if name in CONTRACT[entity].required:
                nulls = scalar(small, f"select count(*) from {entity}_rows where {name} is null")
                assert nulls == 0, f"{entity}.{name} is required"
    for field, pattern in HISTORY_PATTERNS.items():
        bad = small.execute(
            "select count(*) from deal_field_history_rows where field = ? and "
            "(not regexp_matches(new_value, ?) or not regexp_matches(coalesce(old_value, "
            "new_value), ?))",
            [field, pattern, pattern],
        ).fetchall()[0][0]
        assert bad == 0, field
    assert (
        scalar(
            small, "select count(*) from deals_rows where try_cast(updated_at as timestamp) is null"
        )
        == 0
    )


def test_ids_are_unique_within_a_drop(small):
    for entity, key in KEYS.items():
        columns = ", ".join(key)
        duplicates = scalar(
            small,
            f"select count(*) from (select drop_date, {columns} from {entity}_rows "
            f"group by all having count(*) > 1)",
        )
        assert duplicates == 0, entity


def test_every_version_is_dated_on_its_drop(small):
    for entity, column in [
        ("users", "updated_at"),
        ("accounts", "updated_at"),
        ("leads", "updated_at"),
        ("deals", "updated_at"),
        ("activities", "updated_at"),
        ("deal_field_history", "changed_at"),
    ]:
        misdated = scalar(
            small,
            f"select count(*) from {entity}_rows, (select min(drop_date) first from deals_rows) "
            f"where case when drop_date = first then cast({column} as date) > drop_date "
            f"else cast({column} as date) <> drop_date end",
        )
        assert misdated == 0, entity


# -- consistency -------------------------------------------------------------------------

REFERENCES = [
    ("users", "manager_id", "users", "user_id"),
    ("accounts", "owner_id", "users", "user_id"),
    ("leads", "owner_id", "users", "user_id"),
    ("leads", "converted_deal_id", "deals", "deal_id"),
    ("leads", "account_id", "accounts", "account_id"),
    ("deals", "account_id", "accounts", "account_id"),
    ("deals", "owner_id", "users", "user_id"),
    ("deal_field_history", "deal_id", "deals", "deal_id"),
    ("activities", "owner_id", "users", "user_id"),
    ("activities", "deal_id", "deals", "deal_id"),
    ("activities", "account_id", "accounts", "account_id"),
    ("activities", "lead_id", "leads", "lead_id"),
    ("quotas", "owner_id", "users", "user_id"),
]


@pytest.mark.parametrize(("entity", "column", "target", "key"), REFERENCES)
def test_references_exist_by_the_referring_drop(small, entity, column, target, key):
    dangling = scalar(
        small,
        f"select count(*) from {entity}_rows r where r.{column} is not null and not exists "
        f"(select 1 from {target}_rows t where t.{key} = r.{column} "
        f"and t.drop_date <= r.drop_date)",
    )
    assert dangling == 0


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("stage", "stage"),
        ("amount", "amount"),
        ("expected_close_date", "expected_close_date"),
        ("probability", "probability"),
        ("owner_id", "owner_id"),
        ("currency", "currency"),
    ],
)
def test_field_history_replays_to_every_exported_version(small, field, column):
    mismatched = small.execute(
        f"select count(*) from deals_rows d asof left join "
        f"(select * from deal_field_history_rows where field = ?) h "
        f"on h.deal_id = d.deal_id and d.updated_at >= h.changed_at "
        f"where h.new_value is distinct from d.{column}",
        [field],
    ).fetchall()[0][0]
    assert mismatched == 0


def test_field_history_old_value_is_the_previous_new_value(small):
    broken = scalar(
        small,
        "select count(*) from (select old_value, lag(new_value) over "
        "(partition by deal_id, field order by changed_at) previous "
        "from deal_field_history_rows) where old_value is distinct from previous",
    )
    assert broken == 0
    assert scalar(small, "select count(*) from deal_field_history_rows where field = 'stage'") > 0


def test_closed_deals_carry_close_fields(small):
    assert (
        scalar(
            small,
            "select count(*) from deals_rows where (stage in ('closed_won', 'closed_lost')) "
            "<> (closed_at is not null)",
        )
        == 0
    )
    assert (
        scalar(
            small,
            "select count(*) from deals_rows "
            "where (stage = 'closed_lost') <> (lost_reason is not null)",
        )
        == 0
    )
    assert (
        scalar(
            small,
            "select count(*) from deals_rows where stage = 'closed_won' and probability <> '100'",
        )
        == 0
    )


def test_lead_status_matches_its_timestamps(small):
    inconsistent = scalar(
        small,
        "select count(*) from leads_rows where "
        "(status = 'converted') <> (converted_at is not null and converted_deal_id is not null) "
        "or (status = 'disqualified') <> (disqualified_at is not null) "
        "or (status = 'sql' and sql_at is null) or (status = 'mql' and mql_at is null) "
        "or (converted_at is not null and sql_at is null)",
    )
    assert inconsistent == 0


def test_activity_status_matches_its_timestamps(small):
    inconsistent = scalar(
        small,
        "select count(*) from activities_rows where "
        "(status = 'completed' and completed_at is null) "
        "or (status <> 'completed' and completed_at is not null) "
        "or (status in ('scheduled', 'no_show') and scheduled_at is null) "
        "or (completed_at < scheduled_at and activity_type in ('meeting', 'demo')) "
        "or (duration_seconds is not null and activity_type not in ('call', 'meeting', 'demo'))",
    )
    assert inconsistent == 0


# -- other file formats ----------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_other_formats_hold_the_same_rows_as_csv(tmp_path, file_format):
    arguments = {"seed": 3, "reps": 4, "days": 15}
    generate(tmp_path / "csv", **arguments)
    generate(tmp_path / file_format, **arguments, file_format=file_format)
    csv_rows, other_rows = load(tmp_path / "csv"), load(tmp_path / file_format, file_format)
    for entity in ENTITIES:
        query = f"select * from {entity}_rows order by all"
        expected = csv_rows.execute(query).fetchall()
        assert other_rows.execute(query).fetchall() == expected, entity
        assert len(expected) > 0 or entity == "quotas"


# -- realism -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """A year and a half of a 30-rep company, reduced to the latest version of each row."""
    out = tmp_path_factory.mktemp("company") / "landing"
    generate(out, seed=11, reps=30, days=540)
    con = load(out)
    for entity, key in KEYS.items():
        if entity in ("quotas", "deal_field_history"):
            con.execute(f"create view {entity} as select * from {entity}_rows")
        else:
            con.execute(
                f"create view {entity} as select * from {entity}_rows qualify row_number() "
                f"over (partition by {key[0]} order by updated_at desc, drop_date desc) = 1"
            )
    return con


def test_win_rate_is_in_the_benchmark_range(company):
    win_rate = scalar(
        company,
        "select avg(case stage when 'closed_won' then 1.0 else 0.0 end) from deals "
        "where stage in ('closed_won', 'closed_lost') and is_deleted = 'false'",
    )
    assert 0.15 <= win_rate <= 0.30


def test_lead_funnel_steps_are_in_the_benchmark_ranges(company):
    # Leads old enough for their funnel to have played out.
    mql, sql, opportunity = company.execute(
        "select avg((mql_at is not null)::int), "
        "sum((sql_at is not null)::int) / sum((mql_at is not null)::int), "
        "sum((converted_deal_id is not null)::int) / sum((sql_at is not null)::int) "
        "from leads where created_at < '2025-12-01'"
    ).fetchall()[0]
    assert 0.10 <= mql <= 0.30
    assert 0.25 <= sql <= 0.50
    assert 0.40 <= opportunity <= 0.60


def test_call_connect_and_demo_no_show_rates_are_in_range(company):
    connect = scalar(
        company,
        "select avg((outcome = 'connected')::int) from activities "
        "where activity_type = 'call' and status = 'completed'",
    )
    no_show = scalar(
        company,
        "select avg((status = 'no_show')::int) from activities "
        "where activity_type = 'demo' and status in ('completed', 'no_show')",
    )
    assert 0.05 <= connect <= 0.15
    assert 0.15 <= no_show <= 0.30


def test_a_third_to_a_half_of_closed_deals_slipped(company):
    slipped = scalar(
        company,
        "select avg(coalesce(slipped, 0)) from deals d left join (select deal_id, "
        "max((new_value > old_value)::int) slipped from deal_field_history "
        "where field = 'expected_close_date' group by all) using (deal_id) "
        "where d.stage in ('closed_won', 'closed_lost')",
    )
    assert 0.30 <= slipped <= 0.50


def test_sales_cycles_match_the_segment(company):
    cycles = dict(
        company.execute(
            "select a.segment, median(date_diff('day', d.created_at::timestamp, "
            "d.closed_at::timestamp)) from deals d join accounts a using (account_id) "
            "where d.stage = 'closed_won' and d.deal_type = 'new_business' group by all"
        ).fetchall()
    )
    assert 30 <= cycles["smb"] <= 60
    assert 60 <= cycles["mid_market"] <= 90
    assert 180 <= cycles["enterprise"] <= 365


def test_bookings_peak_in_q4_and_at_month_end(company):
    by_quarter = dict(
        company.execute(
            "select quarter(closed_at::timestamp), sum(amount::double) from deals "
            "where stage = 'closed_won' and closed_at >= '2025-01-01' "
            "and closed_at < '2026-01-01' group by all"
        ).fetchall()
    )
    assert by_quarter[4] == max(by_quarter.values())
    last_three_days, other_days = company.execute(
        "select avg(n) filter (where to_end < 3), avg(n) filter (where to_end >= 3) from "
        "(select day(last_day(closed_at::date)) - day(closed_at::date) to_end, count(*) n "
        "from deals where stage = 'closed_won' group by all)"
    ).fetchall()[0]
    assert last_three_days > 2 * other_days


def test_quotas_are_three_to_five_times_ote(company):
    multiples = company.execute(
        "select q.total / (u.ote_amount::double * case u.ote_currency when 'EUR' then 1.08 "
        "when 'GBP' then 1.27 else 1 end) from (select owner_id, sum(quota_amount::double) "
        "total, count(*) month_count from quotas where period_start >= '2025-01-01' "
        "and period_start < '2026-01-01' group by all) q join users u on u.user_id = q.owner_id "
        "where q.month_count = 12 and u.hired_at < '2024-09-01'"
    ).fetchall()
    assert multiples
    assert all(3 <= m <= 5 for (m,) in multiples)


def test_org_changes_over_time(company):
    assert scalar(company, "select count(*) from users where is_active = 'false'") > 0
    movers = scalar(
        company,
        "select count(*) from (select user_id from users_rows group by all "
        "having count(distinct team) > 1)",
    )
    assert movers > 0
    assert set(r[0] for r in company.execute("select distinct role from users").fetchall()) == {
        "rep",
        "sdr",
        "manager",
        "vp",
    }


def test_about_one_percent_of_deals_are_deleted_by_a_new_version(company):
    deleted_share = scalar(company, "select avg((is_deleted = 'true')::int) from deals")
    assert 0.003 <= deleted_share <= 0.02
    deleted_later = scalar(
        company,
        "select count(*) from deals d where d.is_deleted = 'true' and exists (select 1 from "
        "deals_rows e where e.deal_id = d.deal_id and e.is_deleted = 'false' "
        "and e.drop_date < d.drop_date)",
    )
    assert deleted_later > 0


def test_about_a_third_of_open_deals_have_no_next_step(company):
    empty = scalar(
        company,
        "select avg((next_step is null)::int) from deals "
        "where stage not in ('closed_won', 'closed_lost') and is_deleted = 'false'",
    )
    assert 0.25 <= empty <= 0.45
