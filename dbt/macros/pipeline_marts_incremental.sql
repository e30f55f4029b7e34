{#- The incremental builds of the pipeline marts downstream of fct_deal_daily_snapshot
    (mart_pipeline_waterfall, mart_pipeline_health; see their YAML descriptions).

    Each mart row carries two lineage columns: built_at (when the dbt command that
    wrote it started) and raw_loaded_through (the latest raw load it saw). The mart's
    watermarks are their maxima. A run finds the first day whose figures can have
    changed since: the snapshot tells which days it rewrote since the mart's built_at
    (its own built_at and built_from_date), raw tells which users versions, deal
    versions and quotas were loaded since the mart's raw_loaded_through. The pre-hook
    deletes what depends on that day or later, and the model builds what is missing,
    so the rule is evaluated once per run. A mart skipped or failed in one run keeps its
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
    raw_loaded_through change. -#}
{% macro user_teams_changed_from() -%}
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
    -- the user owned a deal.
    refirsted_users as (

        select user_id

        from user_version_days
        where
            first_loaded_day <= first_known_day
            or (first_known_day is null and first_loaded_day is not null)

    ),

    refirsted_owner_days as (

        select min(snapshot_rows.snapshot_date) as changed_day

        from {{ ref('fct_deal_daily_snapshot') }} as snapshot_rows
        inner join refirsted_users
            on snapshot_rows.owner_id = refirsted_users.user_id

    ),

    changed_days as (

        select changed_day from moved_team_days
        union all
        select changed_day from refirsted_owner_days

    )

    select min(changed_day) from changed_days

)
{%- endmacro %}

{#- SQL expression (a date): a day on or before the start of the fiscal quarter holding
    `day`, which begins at most two months before that day's month. -#}
{% macro quarter_start_on_or_before(day) -%}
    cast({{ dbt.dateadd('month', -2, dbt.date_trunc('month', day)) }} as date)
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

    loaded_deal_versions as (

        select
            deal_versions.deal_id,
            deal_versions.version_number,
            deal_versions.is_current,
            deal_versions.is_deleted,
            cast(deal_versions.created_at as date) as created_date

        from {{ ref('int_deal_versions') }} as deal_versions
        cross join mart_watermarks
        where deal_versions.loaded_at > mart_watermarks.loaded_through

    ),

    touched_deals as (

        select distinct deal_id from loaded_deal_versions

    ),

    -- A touched deal's close (amount, owner, stage, date) may have changed, or it may
    -- have reopened: from the earliest close date any of its versions gives.
    changed_close_days as (

        select min(deal_versions.close_date) as changed_day

        from {{ ref('int_deal_versions') }} as deal_versions
        inner join touched_deals
            on deal_versions.deal_id = touched_deals.deal_id
        where not deal_versions.is_open

    ),

    -- pipeline_generated reads each deal's first version, and drops deleted deals.
    changed_creation_days as (

        select min(created_date) as changed_day

        from loaded_deal_versions
        where version_number = 1 or (is_current and is_deleted)

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
        select changed_day from changed_close_days
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
