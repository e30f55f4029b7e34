"""What a run rebuilds: one date, `rebuild_from`, decided once per run and passed to dbt.

The incremental models by day delete their rows from `rebuild_from` on (the day, or the
periods holding it) and insert them again; those by deal rebuild the deals with a row
dated on or after it (dbt/macros/rebuild_window.sql). Staging of the big canonical
entities replaces what was delivered since it last ran (dbt/macros/latest_version.sql);
every other model is a table or a view. The date is the earliest business day that
anything loaded since the last successful build can change:

| loaded since the last build             | earliest day it changes                          |
|-----------------------------------------|--------------------------------------------------|
| any drop                                | its extract date (it may close a carried-over gap)|
| (every run)                             | the last build's as-of date (periods in progress)|
| a deal version                          | its updated_at and closed_at days; the earliest  |
|                                         | close date the deal had (a backdated close, a    |
|                                         | closed deal's amount edited, a reopen)           |
| a deal's first version, or a version    | the deal's created_at day (versions rebuilt from |
| older than its known ones               | field history copy its first extract)            |
| a probability above 1 on a pipeline     | every day (its history is now read 0-100)        |
| read 0-1                                |                                                  |
| a deal field-history row                | its changed_at day; the deal's created_at day    |
|                                         | when it is the deal's first change (its          |
|                                         | old_value is the stage the deal was created in)  |
| a user version (a team move)            | the start of the fiscal quarter before the one   |
|                                         | holding its updated_at (team quotas are per      |
|                                         | quarter, and the forecast shows the next         |
|                                         | quarter's): five months before that day's month  |
| a new user, a rename, a version dated   | every day (entity names and first teams reach    |
| before the user's known ones            | back to the start)                               |
| an activity version                     | the earliest scheduled or completed day of any   |
|                                         | version of that activity                         |
| a quota                                 | a year before its period start (the fiscal       |
|                                         | quarter and year holding it)                     |
| an account or a lead                    | nothing: only tables read them                   |

A run is a full refresh by itself (every model rebuilt whole) when no build is recorded,
when a drop loaded before the last build was re-delivered or withdrawn since (its load
is gone from the drop log), when a drop that a build stopped since (at a dbt test) had
already read was re-delivered or withdrawn (that build may have left its rows in the
incremental models: `audit.build_attempts`), or when the seeds, the vars or the project's
SQL changed (their digest is kept with each build in `audit.builds`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from dagster_project.ingest.drop_log import DROPS_TABLE
from dagster_project.quality.audit import AUDIT_SCHEMA
from dagster_project.sql_text import string_literal

BUILDS_TABLE = f"{AUDIT_SCHEMA}.builds"
ATTEMPTS_TABLE = f"{AUDIT_SCHEMA}.build_attempts"
EVERY_DAY = date(1900, 1, 1)
# What the project's SQL is made of; a change to any of them changes what a full build gives.
_PROJECT_NODE_TYPES = frozenset({"model", "seed", "snapshot"})


class Connection(Protocol):
    """A DuckDB or psycopg connection: both execute SQL text and fetch tuples."""

    def execute(self, query: str) -> Any: ...


@dataclass(frozen=True)
class LastBuild:
    loaded_through: datetime
    drops_digest: str
    settings_digest: str
    as_of_date: date


@dataclass(frozen=True)
class BuildPlan:
    """What this run's `dbt build` rebuilds, and what to record once it succeeded."""

    full_refresh: bool
    reason: str
    loaded_through: datetime | None
    drops_digest: str
    settings_digest: str
    last_build: LastBuild | None


def settings_digest(manifest_path: Path, project_file: Path, cli_vars: dict[str, Any]) -> str:
    """A digest of what a full build's answer depends on besides raw: every model's and
    seed's checksum and the project's macros (from the parsed manifest), and the vars."""
    manifest = json.loads(manifest_path.read_text())
    project_name = manifest["metadata"].get("project_name")
    parts = sorted(
        f"{unique_id}:{node['checksum']['checksum']}"
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in _PROJECT_NODE_TYPES
    )
    parts += sorted(
        f"{unique_id}:{hashlib.sha256(macro['macro_sql'].encode()).hexdigest()}"
        for unique_id, macro in manifest["macros"].items()
        if macro["package_name"] == project_name
    )
    project_vars = (yaml.safe_load(project_file.read_text()) or {}).get("vars") or {}
    parts.append(json.dumps({**project_vars, **cli_vars}, sort_keys=True, default=str))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def plan_build(connection: Connection, settings: str) -> BuildPlan:
    """Full refresh or not, from the drop log and the last build recorded (DuckDB)."""
    ensure_builds_table(connection)
    loaded_through = _latest_load(connection)
    last = last_build(connection)
    drops = _drops_digest(connection, loaded_through)
    reason = ""
    if last is None:
        reason = "no build recorded"
    elif last.settings_digest != settings:
        reason = "the seeds, vars or dbt project changed"
    elif _drops_digest(connection, last.loaded_through) != last.drops_digest:
        reason = "a drop built before was re-delivered or withdrawn"
    elif _stopped_attempt_read_a_changed_drop(connection, last):
        reason = "a drop read by a stopped build was re-delivered or withdrawn"
    return BuildPlan(
        full_refresh=bool(reason),
        reason=reason or "incremental",
        loaded_through=loaded_through,
        drops_digest=drops,
        settings_digest=settings,
        last_build=last,
    )


def rebuild_from(connection: Connection, last: LastBuild) -> date:
    """The earliest business day that the rows loaded after `last` can change (the table
    in this module's docstring), read before dbt builds: from views over raw and from
    tables the last build made."""
    [(found,)] = connection.execute(_rebuild_from_sql(last.loaded_through)).fetchall()
    return min(found, last.as_of_date) if found is not None else last.as_of_date


def _rebuild_from_sql(loaded_through: datetime) -> str:
    through = _timestamp_sql(loaded_through)
    every_day = f"cast({string_literal(EVERY_DAY.isoformat())} as date)"
    deals = _source_rows(
        "deal_id, pipeline, probability, created_at, closed_at, updated_at, loaded_at",
        "staging.stg_canonical__deal_deliveries",
        "staging.stg_canonical__deal_versions",
        "intermediate.int_source_deal_versions",
        through,
    )
    history = _source_rows(
        "deal_id, changed_at, loaded_at",
        "staging.stg_canonical__deal_field_history_deliveries",
        "staging.stg_canonical__deal_field_history",
        "intermediate.int_source_deal_field_history",
        through,
    )
    users = "intermediate.int_source_user_versions"
    activities = "intermediate.int_source_activity_versions"
    return f"""
with

loaded_deals as (
    select deal_id, min(cast(updated_at as date)) as updated_day,
        min(cast(closed_at as date)) as closed_day,
        min(cast(created_at as date)) as created_day
    from {deals} where loaded_at > {through} group by deal_id
),

known_deals as (
    select deal_id, min(cast(updated_at as date)) as first_known_day
    from {deals} where loaded_at <= {through} group by deal_id
),

created_days as (
    select deal_id, min(cast(created_at as date)) as created_day from {deals} group by deal_id
),

loaded_history as (
    select deal_id, min(changed_at) as first_changed_at
    from {history} where loaded_at > {through} group by deal_id
),

known_history as (
    select deal_id, min(changed_at) as first_known_at
    from {history} where loaded_at <= {through} group by deal_id
),

built_closes as (
    select deal_id, min(close_date) as close_day
    from intermediate.int_deal_versions where close_date is not null group by deal_id
),

rescaled_pipelines as (
    select pipeline from {deals} group by pipeline
    having max(case when loaded_at > {through} then probability end) > 1
        and max(case when loaded_at <= {through} then probability end) <= 1
),

loaded_users as (
    select user_id, min(cast(updated_at as date)) as updated_day,
        min(cast(date_trunc('month', updated_at) - interval '5 months' as date)) as quarter_day
    from {users} where loaded_at > {through} group by user_id
),

known_users as (
    select user_id, min(cast(updated_at as date)) as first_known_day
    from {users} where loaded_at <= {through} group by user_id
),

renamed_users as (
    select distinct loaded.user_id
    from {users} as loaded
    where loaded.loaded_at > {through} and not exists (
        select 1 from {users} as known
        where known.user_id = loaded.user_id and known.loaded_at <= {through}
            and coalesce(known.full_name, '') = coalesce(loaded.full_name, '')
    )
),

loaded_activities as (
    select distinct activity_id from {activities} where loaded_at > {through}
),

changed_days as (
    select extract_date as changed_day
    from staging.stg_canonical__extracts where loaded_at > {through}
    union all
    select least(loaded_deals.updated_day, coalesce(loaded_deals.closed_day,
        loaded_deals.updated_day), coalesce(built_closes.close_day, loaded_deals.updated_day),
        case when known_deals.deal_id is null
                or loaded_deals.updated_day < known_deals.first_known_day
            then loaded_deals.created_day else loaded_deals.updated_day end)
    from loaded_deals
    left join known_deals on loaded_deals.deal_id = known_deals.deal_id
    left join built_closes on loaded_deals.deal_id = built_closes.deal_id
    union all
    select {every_day} from rescaled_pipelines
    union all
    select cast(changed_at as date) from {history} where loaded_at > {through}
    union all
    select case when known_history.deal_id is null
            or loaded_history.first_changed_at < known_history.first_known_at
        then created_days.created_day end
    from loaded_history
    left join known_history on loaded_history.deal_id = known_history.deal_id
    left join created_days on loaded_history.deal_id = created_days.deal_id
    union all
    select case when known_users.user_id is null
            or loaded_users.updated_day <= known_users.first_known_day
            or renamed_users.user_id is not null
        then {every_day} else loaded_users.quarter_day end
    from loaded_users
    left join known_users on loaded_users.user_id = known_users.user_id
    left join renamed_users on loaded_users.user_id = renamed_users.user_id
    union all
    -- No filter on the dates (min() skips nulls): one on the view's cast columns would
    -- make DuckDB cast every activity version before the join, 2 s a night at M.
    select least(
        coalesce(cast(versions.scheduled_at as date), cast(versions.completed_at as date)),
        coalesce(cast(versions.completed_at as date), cast(versions.scheduled_at as date)))
    from {activities} as versions
    inner join loaded_activities on versions.activity_id = loaded_activities.activity_id
    union all
    select cast(period_start - interval '12 months' as date)
    from intermediate.int_source_quotas where loaded_at > {through}
)

select min(changed_day) from changed_days
"""


def _source_rows(columns: str, deliveries: str, staged: str, union: str, through: str) -> str:
    """Every source's rows of an entity, as a subquery, so each use reads only what it
    filters: the canonical rows the last build staged (its staging table is incremental,
    built before this run loaded anything) and those loaded since, from its deliveries
    view; the other sources' from the source union, a view over raw."""
    return (
        f"(select {columns} from {staged} "
        f"union all select {columns} from {deliveries} where loaded_at > {through} "
        f"union all select {columns} from {union} where source_system <> 'canonical') "
        "as source_rows"
    )


def ensure_builds_table(connection: Connection) -> None:
    connection.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    connection.execute(
        f"create table if not exists {BUILDS_TABLE} ("
        "built_at timestamp, run_id varchar, full_refresh boolean, reason varchar, "
        "rebuild_from date, as_of_date date, loaded_through timestamp, "
        "drops_digest varchar, settings_digest varchar)"
    )
    connection.execute(
        f"create table if not exists {ATTEMPTS_TABLE} ("
        "loaded_through timestamp, drops_digest varchar)"
    )


def record_attempt(connection: Connection, plan: BuildPlan) -> None:
    """Remember that a build starts reading the drops loaded so far: should it stop, its
    rows stay in the incremental models until a full refresh replaces them."""
    if plan.loaded_through is None:
        return
    connection.execute(
        f"insert into {ATTEMPTS_TABLE} values ("
        f"{string_literal(plan.loaded_through.isoformat(sep=' '))}, "
        f"{string_literal(plan.drops_digest)})"
    )


def _stopped_attempt_read_a_changed_drop(connection: Connection, last: LastBuild) -> bool:
    """Whether a build that started after `last` and never finished read a drop that has
    been loaded again or forgotten since."""
    rows = connection.execute(
        f"select loaded_through, drops_digest from {ATTEMPTS_TABLE} "
        f"where loaded_through > {_timestamp_sql(last.loaded_through)}"
    ).fetchall()
    return any(_drops_digest(connection, through) != digest for through, digest in rows)


def last_build(connection: Connection) -> LastBuild | None:
    rows = connection.execute(
        f"select loaded_through, drops_digest, settings_digest, as_of_date from {BUILDS_TABLE} "
        "order by built_at desc limit 1"
    ).fetchall()
    if not rows or rows[0][0] is None:
        return None
    return LastBuild(*rows[0])


def record_build(
    connection: Connection,
    plan: BuildPlan,
    *,
    run_id: str,
    built_at: datetime,
    rebuilt_from: date,
    as_of_date: date,
) -> None:
    """Remember a successful build: the next run rebuilds from what was loaded after it."""
    connection.execute(
        f"insert into {BUILDS_TABLE} values ("
        + ", ".join(
            [
                string_literal(built_at.isoformat(sep=" ")),
                string_literal(run_id),
                str(plan.full_refresh).lower(),
                string_literal(plan.reason),
                string_literal(rebuilt_from.isoformat()),
                string_literal(as_of_date.isoformat()),
                string_literal(plan.loaded_through.isoformat(sep=" "))
                if plan.loaded_through
                else "null",
                string_literal(plan.drops_digest),
                string_literal(plan.settings_digest),
            ]
        )
        + ")"
    )


def build_as_of_date(connection: Connection, pinned: str | None) -> date | None:
    """The as-of date the build computes for: the pinned var, else the latest drop's date."""
    if pinned:
        return date.fromisoformat(pinned)
    [(latest,)] = connection.execute(f"select max(drop_date) from {DROPS_TABLE}").fetchall()
    return latest


def _latest_load(connection: Connection) -> datetime | None:
    [(latest,)] = connection.execute(f"select max(loaded_at) from {DROPS_TABLE}").fetchall()
    return latest


def _drops_digest(connection: Connection, loaded_through: datetime | None) -> str:
    """A digest of the drop log's loads up to `loaded_through`: it changes when one of
    them is loaded again (re-delivered) or forgotten (withdrawn)."""
    if loaded_through is None:
        return ""
    rows = connection.execute(
        f"select drop_date, loaded_at from {DROPS_TABLE} "
        f"where loaded_at <= {_timestamp_sql(loaded_through)} order by drop_date"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _timestamp_sql(moment: datetime) -> str:
    """`moment` as a SQL timestamp, on DuckDB and PostgreSQL alike."""
    return f"cast({string_literal(moment.isoformat(sep=' '))} as timestamp)"
