{#- The incremental build of fct_deal_daily_snapshot (see its YAML description).

    A run rebuilds every deal's rows from the first day the raw rows loaded since the
    last build can change, up to the as-of date: whole days, so on Spark the same rule
    is a partition overwrite. "Loaded since the last build" is read from raw's
    `_loaded_at`, not from the last snapshot day, so a late drop (dated before days
    already built) or a re-delivered one rewrites the days it touches.

    The watermark is the latest extracts_loaded_at the table holds: the load time of
    the last drop dated within the days built. Every raw row loaded no later than it was
    in raw when those days were built (loads run one after the other), so a run never
    skips a change; a row it sees again only makes it redo days. -#}

{#- SQL scalar (a date): the first snapshot day the incremental run rebuilds. -#}
{% macro deal_snapshot_rebuild_from() -%}
(
    with

    built as (

        select
            max(snapshot_date) as last_built_day,
            max(extracts_loaded_at) as loaded_through

        from {{ this }}

    ),

    -- Versions loaded since (new, late, re-delivered, or rebuilt from field history
    -- that arrived since) change their deal from the day they start holding.
    loaded_version_days as (

        select cast(deal_versions.valid_from as date) as changed_day

        from {{ ref('int_deal_versions') }} as deal_versions
        cross join built
        where deal_versions.loaded_at > built.loaded_through

    ),

    -- A version the table used that raw no longer holds (a corrected re-delivery left
    -- it out): its days now belong to the version before it.
    vanished_version_days as (

        select min(snapshot.snapshot_date) as changed_day

        from {{ this }} as snapshot
        left join {{ ref('int_deal_versions') }} as deal_versions
            on snapshot.deal_version_id = deal_versions.deal_version_id
        where deal_versions.deal_version_id is null

    ),

    -- A drop loaded since changes at least its own day: it may close a gap
    -- (is_carried_over_gap), even when it holds no deal change.
    loaded_drop_days as (

        select extracts.extract_date as changed_day

        from {{ ref('stg_canonical__extracts') }} as extracts
        cross join built
        where extracts.loaded_at > built.loaded_through

    ),

    loaded_activity_ids as (

        select distinct activity_versions.activity_id

        from {{ ref('int_source_activity_versions') }} as activity_versions
        cross join built
        where activity_versions.loaded_at > built.loaded_through

    ),

    -- An activity's new version moves the last activity of its deal from the day any
    -- of its versions says it was completed (a completion can also be withdrawn).
    loaded_activity_days as (

        select cast(activity_versions.completed_at as date) as changed_day

        from {{ ref('int_source_activity_versions') }} as activity_versions
        inner join loaded_activity_ids
            on activity_versions.activity_id = loaded_activity_ids.activity_id
        where activity_versions.deal_id is not null

    ),

    deal_versions as (

        {{ deal_version_probabilities() }}

    ),

    probability_scales as (

        {{ probability_scale_changes('deal_versions', 'built') }}

    ),

    rescaled_history_days as (

        select cast('1900-01-01' as date) as changed_day

        from probability_scales
        where probability_scales.is_percent <> probability_scales.was_percent

    ),

    new_days as (

        select {{ dbt.dateadd('day', 1, 'built.last_built_day') }} as changed_day

        from built

    ),

    changed_days as (

        select changed_day from loaded_version_days
        union all
        select changed_day from vanished_version_days
        union all
        select changed_day from loaded_drop_days
        union all
        select changed_day from loaded_activity_days
        union all
        select changed_day from rescaled_history_days
        union all
        select cast(changed_day as date) as changed_day from new_days

    )

    select coalesce(min(changed_day), cast('1900-01-01' as date)) from changed_days

)
{%- endmacro %}

{#- SQL scalar (a date): the first snapshot day the model builds. Every day on a full
    build. On an incremental one the pre-hook has already cleared the days from
    deal_snapshot_rebuild_from() on, so the build resumes the day after the last day
    left, and the rule (which reads every activity version) is evaluated once per run,
    not twice. Spark skips the pre-hook, so there the model evaluates the rule. -#}
{% macro deal_snapshot_first_built_day() -%}
    {%- if not is_incremental() -%}
        cast('1900-01-01' as date)
    {%- elif target.type == 'spark' -%}
        {{ deal_snapshot_rebuild_from() }}
    {%- else -%}
        {{ day_after_last_built('snapshot_date') }}
    {%- endif -%}
{%- endmacro %}

{#- SQL scalar (a date): the day after the latest `day_column` the incremental model
    holds, where a run whose pre-hook cleared the days it rebuilds resumes; every day
    when the model holds none. -#}
{% macro day_after_last_built(day_column) -%}
    (
        select
            coalesce(
                cast({{ dbt.dateadd('day', 1, 'max(' ~ day_column ~ ')') }} as date),
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
{%- endmacro %}

{#- Pre-hook: clear the days the run rebuilds, and days past a moved-back as-of date,
    so a day that now has no row at all does not keep stale ones. Empty unless the run
    is incremental; engines that overwrite partitions instead (Spark) skip it. -#}
{% macro deal_snapshot_delete_rebuilt_days() -%}
    {%- if is_incremental() and target.type != 'spark' -%}
        delete from {{ this }}
        where
            snapshot_date >= {{ deal_snapshot_rebuild_from() }}
            or snapshot_date > {{ as_of_date() }}
    {%- endif -%}
{%- endmacro %}
