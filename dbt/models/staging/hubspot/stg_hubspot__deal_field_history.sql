with

deal_stages as (

    select * from {{ source('hubspot', 'hubspot__deal_stage') }}

),

property_history as (

    select * from {{ source('hubspot', 'hubspot__deal_property_history') }}

),

pipeline_stages as (

    select * from {{ source('hubspot', 'hubspot__deal_pipeline_stage') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'hubspot'

),

-- A HubSpot stage id belongs to one pipeline (deal_pipeline_stage), which the mapping
-- needs; its latest delivery says which.
stage_pipelines_ranked as (

    select
        {{ to_string('stage_id') }} as stage_id,
        {{ to_string('pipeline_id') }} as pipeline_id,
        row_number() over (
            partition by {{ to_string('stage_id') }}
            order by _extract_date desc, _loaded_at desc, _source_row desc
        ) as recency_rank

    from pipeline_stages

),

stage_pipelines as (

    select
        stage_id,
        pipeline_id

    from stage_pipelines_ranked
    where recency_rank = 1

),

-- Every stage a deal entered, from the stage history table.
stage_entries as (

    select
        {{ to_string('deal_id') }} as deal_id,
        'stage' as field,
        {{ to_string('value') }} as new_value,
        {{ to_utc_timestamp('date_entered') }} as changed_at,
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from deal_stages

),

-- HubSpot's property names onto the canonical fields; other properties are not tracked.
property_changes as (

    select
        {{ to_string('deal_id') }} as deal_id,
        case {{ to_string('name') }}
            when 'dealstage' then 'stage'
            when 'amount' then 'amount'
            when 'closedate' then 'expected_close_date'
            when 'hs_deal_stage_probability' then 'probability'
            when 'hubspot_owner_id' then 'owner_id'
            when 'deal_currency_code' then 'currency'
        end as field,
        -- A close date is an ISO timestamp or, from older connector versions, epoch
        -- milliseconds (no '-'): both become the date's canonical YYYY-MM-DD.
        case
            when {{ to_string('name') }} <> 'closedate' then {{ to_string('value') }}
            when {{ to_string('value') }} like '%-%'
                then cast(
                    cast({{ to_utc_timestamp('value') }} as date) as {{ dbt.type_string() }}
                )
            else cast(
                cast(
                    {{ dbt.dateadd(
                        'day',
                        'cast(floor(' ~ to_numeric('value') ~ ' / 86400000) as '
                        ~ dbt.type_int() ~ ')',
                        "cast('1970-01-01' as date)",
                    ) }} as date
                ) as {{ dbt.type_string() }}
            )
        end as new_value,
        {{ to_utc_timestamp('timestamp') }} as changed_at,
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from property_history

),

changes as (

    select * from stage_entries
    union all
    select * from property_changes
    where field is not null

),

-- Stage ids map like the deal's own stage; a stage not mapped has no new_value.
values_mapped as (

    select
        changes.deal_id,
        changes.field,
        -- HubSpot logs the new value only.
        cast(null as {{ dbt.type_string() }}) as old_value,
        case
            when changes.field = 'stage' then stage_mappings.stage else changes.new_value
        end as new_value,
        changes.changed_at,
        changes.extract_date,
        changes.source_file,
        changes.source_row,
        changes.loaded_at

    from changes
    left join stage_pipelines
        on
            changes.field = 'stage'
            and changes.new_value = stage_pipelines.stage_id
    left join stage_mappings
        on
            stage_pipelines.pipeline_id = stage_mappings.source_pipeline
            and changes.new_value = stage_mappings.source_stage

),

-- The same stage entry in both tables, or delivered again, is one change.
changes_ranked as (

    select
        values_mapped.*,
        row_number() over (
            partition by deal_id, field, new_value, changed_at
            order by extract_date desc, loaded_at desc, source_row desc
        ) as delivery_rank

    from values_mapped

),

deduplicated as (

    select
        {{ hash_key(['deal_id', 'field', 'old_value', 'new_value', 'changed_at']) }}
            as deal_field_change_id,
        deal_id,
        field,
        old_value,
        new_value,
        changed_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from changes_ranked
    where delivery_rank = 1

)

select * from deduplicated
