{#- The incremental build of mart_activity_kpis (see its YAML description).

    Each row carries the pipeline marts' lineage columns (built_at, raw_loaded_through,
    built_as_of_date; macros/pipeline_marts_incremental.sql). A run finds the first day
    whose counts can have changed since the mart's last build, the pre-hook deletes
    every day and week row from the Monday of that day's week on, and the model builds
    every whole week after the last one left, so a week is always the sum of its days. -#}

{#- SQL scalar (a date): the first day of mart_activity_kpis that can have changed since
    its last build: the as-of dates of the last build and of this run (counts stop at
    the as-of date), and every day any version of an activity with a version loaded
    since counted on, as an activity or as a scheduled demo. A late or re-delivered drop
    rebuilds everything (is_any_extract_replaced_since). -#}
{% macro activity_kpis_changed_from() -%}
(
    with

    built as (

        select
            max(raw_loaded_through) as loaded_through,
            max(built_as_of_date) as built_as_of_date

        from {{ this }}

    ),

    versions_of_changed_activities as (

        select
            case
                when activity_versions.status = 'completed' then activity_versions.completed_at
                else activity_versions.scheduled_at
            end as counted_at,
            activity_versions.scheduled_at

        from {{ ref('int_source_activity_versions') }} as activity_versions
        where activity_versions.activity_id in (
            select loaded_versions.activity_id
            from {{ ref('int_source_activity_versions') }} as loaded_versions
            cross join built
            where loaded_versions.loaded_at > built.loaded_through
        )

    ),

    changed_days as (

        {{ as_of_and_redelivery_changed_days('built') }}
        union all
        select cast(min(counted_at) as date) as changed_day
        from versions_of_changed_activities
        union all
        select cast(min(scheduled_at) as date) as changed_day
        from versions_of_changed_activities

    )

    select min(changed_day) from changed_days

)
{%- endmacro %}

{#- Pre-hook of mart_activity_kpis: delete the day and week rows from the Monday of the
    first changed day's week on. -#}
{% macro activity_kpis_delete_rebuilt_weeks() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where period_start >= cast({{ dbt.date_trunc('week', activity_kpis_changed_from()) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- SQL scalar (a date, a Monday): the first day mart_activity_kpis builds: every day on a
    full build; on an incremental one, the week after the last week it holds rows of. -#}
{% macro activity_kpis_first_built_day() -%}
    {%- if is_incremental() -%}
        (
            select
                coalesce(
                    cast({{ dbt.dateadd('day', 7, dbt.date_trunc('week', 'max(period_start)')) }} as date),
                    cast('1900-01-01' as date)
                )
            from {{ this }}
        )
    {%- else -%}
        cast('1900-01-01' as date)
    {%- endif -%}
{%- endmacro %}
