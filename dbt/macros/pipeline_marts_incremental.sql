{#- The incremental builds of the pipeline marts by period or as-of day
    (mart_pipeline_waterfall, mart_pipeline_health, mart_deal_outcomes; see their YAML
    descriptions).

    Each mart row carries two lineage columns: built_at (when the dbt command that
    wrote it started) and raw_loaded_through (the latest raw load it saw). The mart's
    watermarks are their maxima. A run finds the first day whose figures can have
    changed since: the snapshot tells which days it rewrote since the mart's built_at
    (its own built_at and built_from_date), raw tells which users versions, deal
    versions and quotas were loaded since the mart's raw_loaded_through. The pre-hook
    deletes what depends on that day or later, and the model builds what is missing,
    so the rule is evaluated once per run (mart_deal_outcomes reads closes, accounts
    and users instead of the snapshot). A mart skipped or failed in one run keeps its
    old watermarks and catches up in the next. -#}

{#- SQL scalar (a date, or null when nothing changed): the first day of the snapshot
    rows written since the mart's latest built_at. Whatever the reason the snapshot
    rewrote days (a new, late or re-delivered drop, a late activity, a full refresh), it
    rewrote every day from their built_from_date on. -#}
{% macro snapshot_changed_from() -%}
(
    select min(snapshot_rows.built_from_date)

    from {{ ref('fct_deal_daily_snapshot') }} as snapshot_rows
    where snapshot_rows.built_at > (select max(built_at) from {{ this }})
)
{%- endmacro %}

{#- SQL scalar (a date, or null when nothing changed): the first day whose team of a user
    (int_user_team_periods) the users versions loaded since the mart's latest
    raw_loaded_through change. A version that becomes a user's first moves every day
    the user owned something: the earliest `owned_day` of the user's rows (by owner_id)
    in `owned_rows`, by default the snapshot's days. -#}
{% macro user_teams_changed_from(owned_rows=none, owned_day='snapshot_date') -%}
{%- set owned_rows = owned_rows or ref('fct_deal_daily_snapshot') -%}
(
    with

    user_version_days as (

        select
            user_versions.user_id,
            min(
                case
                    when user_versions.loaded_at > mart_watermark.loaded_through
                        then cast(user_versions.updated_at as date)
                end
            ) as first_loaded_day,
            min(
                case
                    when user_versions.loaded_at <= mart_watermark.loaded_through
                        then cast(user_versions.updated_at as date)
                end
            ) as first_known_day

        from {{ ref('int_source_user_versions') }} as user_versions
        cross join (
            select max(raw_loaded_through) as loaded_through from {{ this }}
        ) as mart_watermark
        group by user_versions.user_id

    ),

    -- A version loaded since moves the user's team from its own day on...
    moved_team_days as (

        select first_loaded_day as changed_day

        from user_version_days
        where first_loaded_day > first_known_day

    ),

    -- ... but one dated on or before the user's earliest known version (or the first of
    -- a new user) also stands for the days before it, so it moves the team of every day
    -- the user owned something.
    refirsted_users as (

        select user_id

        from user_version_days
        where
            first_loaded_day <= first_known_day
            or (first_known_day is null and first_loaded_day is not null)

    ),

    refirsted_owner_days as (

        select min(owned_rows.{{ owned_day }}) as changed_day

        from {{ owned_rows }} as owned_rows
        inner join refirsted_users
            on owned_rows.owner_id = refirsted_users.user_id

    ),

    changed_days as (

        select changed_day from moved_team_days
        union all
        select changed_day from refirsted_owner_days

    )

    select min(changed_day) from changed_days

)
{%- endmacro %}

{#- SQL scalar (a date, or null when nothing changed): the first close a deal version
    loaded since the mart's latest raw_loaded_through can move. The touched deal's close
    (amount, owner, stage, date) may have changed, or it may have reopened: from the
    earliest close date any of its versions gives. -#}
{% macro deal_closes_changed_from() -%}
(
    select min(deal_versions.close_date)

    from {{ ref('int_deal_versions') }} as deal_versions
    where
        not deal_versions.is_open
        and deal_versions.deal_id in (
            select loaded_versions.deal_id
            from {{ ref('int_deal_versions') }} as loaded_versions
            where
                loaded_versions.loaded_at
                > (select max(mart_rows.raw_loaded_through) from {{ this }} as mart_rows)
        )
)
{%- endmacro %}

{#- SQL expression (a date): a day on or before the start of the fiscal quarter holding
    `day`, which begins at most two months before that day's month. -#}
{% macro quarter_start_on_or_before(day) -%}
    cast({{ dbt.dateadd('month', -2, dbt.date_trunc('month', day)) }} as date)
{%- endmacro %}

{#- SQL union of `changed_day` rows (dates, or null) for a mart with the lineage columns:
    the as-of dates of its last build and of this run, and 1900-01-01 (everything) after
    a late or re-delivered drop. `built` is a relation of one row: the mart's
    loaded_through (max raw_loaded_through) and built_as_of_date (max). -#}
{% macro as_of_and_redelivery_changed_days(built) -%}
        select {{ built }}.built_as_of_date as changed_day
        from {{ built }}
        union all
        select {{ as_of_date() }} as changed_day
        union all
        select
            case
                when
                    {{ is_any_extract_replaced_since(
                        built ~ '.loaded_through', built ~ '.built_as_of_date'
                    ) }}
                    then cast('1900-01-01' as date)
            end as changed_day
        from {{ built }}
{%- endmacro %}

{#- SQL expression: the latest raw load, the raw_loaded_through of the rows a run writes. -#}
{% macro raw_loaded_through() -%}
    (select max(loaded_at) from {{ ref('stg_canonical__extracts') }})
{%- endmacro %}

{#- SQL expression: a key of a period's bounds and flags, which the mart's rows repeat, so
    a stored period that no longer matches int_pipeline_periods (the as-of date, the
    first extract or the fiscal calendar moved) is found and rebuilt. -#}
{% macro pipeline_period_signature(prefix='') -%}
    {{ hash_key([
        prefix ~ 'period_type',
        prefix ~ 'period_start',
        prefix ~ 'period_end',
        prefix ~ 'is_in_progress',
        prefix ~ 'is_covered_by_extracts',
    ]) }}
{%- endmacro %}

{#- SQL joins and filter after `from periods` (a CTE of int_pipeline_periods): on an
    incremental build, only the periods the mart holds no row of (the pre-hook deleted
    them, or they are new); every period on a full build. -#}
{% macro periods_without_rows(periods) -%}
    {%- if is_incremental() -%}
        left join (select distinct period_type, period_start from {{ this }}) as built_periods
            on
                {{ periods }}.period_type = built_periods.period_type
                and {{ periods }}.period_start = built_periods.period_start
        where built_periods.period_start is null
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of mart_pipeline_waterfall: delete the periods the run rebuilds (those
    holding a changed day, the one in progress, and any that no longer match their
    period). The model then builds every period without rows. -#}
{% macro pipeline_waterfall_delete_rebuilt_periods() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            is_in_progress
            or period_end > {{ snapshot_changed_from() }}
            or period_end > {{ user_teams_changed_from() }}
            or {{ pipeline_period_signature() }} not in (
                select {{ pipeline_period_signature() }}
                from {{ ref('int_pipeline_periods') }}
            )
    {%- endif -%}
{%- endmacro %}

{#- SQL scalar (a date, or null when nothing changed): the first as-of day of
    mart_pipeline_health that changed since its last build. Beyond the snapshot and the
    users, its trailing-window figures read int_deal_closes,
    the deals' first versions and quotas, and its entity_name the users' current names. -#}
{% macro pipeline_health_changed_from() -%}
(
    with

    mart_watermarks as (

        select max(raw_loaded_through) as loaded_through

        from {{ this }}

    ),

    -- pipeline_generated reads each deal's first version, and drops deleted deals.
    changed_creation_days as (

        select min(cast(deal_versions.created_at as date)) as changed_day

        from {{ ref('int_deal_versions') }} as deal_versions
        cross join mart_watermarks
        where
            deal_versions.loaded_at > mart_watermarks.loaded_through
            and (
                deal_versions.version_number = 1
                or (deal_versions.is_current and deal_versions.is_deleted)
            )

    ),

    -- A quota moves its fiscal quarter's quota on every day of the quarter.
    changed_quota_days as (

        select {{ quarter_start_on_or_before('min(quotas.period_start)') }} as changed_day

        from {{ ref('int_source_quotas') }} as quotas
        cross join mart_watermarks
        where quotas.loaded_at > mart_watermarks.loaded_through

    ),

    -- entity_name is the rep's current name: a rename moves every day.
    renamed_rep_days as (

        select min(cast('1900-01-01' as date)) as changed_day

        from (
            select distinct entity_id, entity_name
            from {{ this }}
            where level = 'rep'
        ) as stored_names
        inner join {{ ref('int_source_users') }} as users
            on stored_names.entity_id = users.user_id
        where stored_names.entity_name <> coalesce(users.full_name, users.user_id)

    ),

    changed_days as (

        select {{ snapshot_changed_from() }} as changed_day
        union all
        -- A team move also moves the team quotas of its whole quarter.
        select {{ quarter_start_on_or_before(user_teams_changed_from()) }} as changed_day
        union all
        select {{ deal_closes_changed_from() }} as changed_day
        union all
        select changed_day from changed_creation_days
        union all
        select changed_day from changed_quota_days
        union all
        select changed_day from renamed_rep_days

    )

    select min(changed_day) from changed_days

)
{%- endmacro %}

{#- Pre-hook of mart_pipeline_health: delete the as-of days from the first changed one on,
    and those past a moved-back as-of date. The model then builds every day after the
    last one left. -#}
{% macro pipeline_health_delete_rebuilt_days() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            as_of_date >= {{ pipeline_health_changed_from() }}
            or as_of_date > {{ as_of_date() }}
    {%- endif -%}
{%- endmacro %}

{#- SQL scalar (a date): the first day of mart_deal_outcomes that can have changed since
    its last build. Its rows read int_deal_closes (deal versions, user teams),
    int_source_accounts (churn, names) and the periods. -#}
{% macro deal_outcomes_changed_from() -%}
(
    with

    built as (

        select
            max(raw_loaded_through) as loaded_through,
            max(built_as_of_date) as built_as_of_date

        from {{ this }}

    ),

    changed_accounts as (

        select
            accounts.account_id,
            cast(accounts.churned_at as date) as churn_date

        from {{ ref('int_source_accounts') }} as accounts
        cross join built
        where accounts.loaded_at > built.loaded_through

    ),

    -- A changed account (renamed, deleted, churned or back) moves the rows that list it,
    -- and its churn date.
    changed_account_days as (

        select min(stored_outcomes.outcome_date) as changed_day

        from {{ this }} as stored_outcomes
        inner join changed_accounts
            on stored_outcomes.account_id = changed_accounts.account_id

        union all

        select min(churn_date) as changed_day

        from changed_accounts

    ),

    changed_days as (

        -- The periods holding the as-of dates of the last build and of this run are in
        -- progress at one of them.
        {{ as_of_and_redelivery_changed_days('built') }}
        union all
        select {{ deal_closes_changed_from() }} as changed_day
        union all
        select {{ user_teams_changed_from(this, 'outcome_date') }} as changed_day
        union all
        select changed_day from changed_account_days

    )

    select min(changed_day) from changed_days

)
{%- endmacro %}

{#- Pre-hook of mart_deal_outcomes: keep the periods closed before its first changed day,
    delete every other (including any no longer in int_pipeline_periods). The model then
    builds every period without rows. -#}
{% macro deal_outcomes_delete_rebuilt_periods() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ hash_key(['period_type', 'period_start']) }} not in (
            select kept_periods.period_id
            from {{ ref('int_pipeline_periods') }} as kept_periods
            where kept_periods.closing_day < {{ deal_outcomes_changed_from() }}
        )
    {%- endif -%}
{%- endmacro %}
