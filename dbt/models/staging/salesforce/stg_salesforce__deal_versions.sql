{%- set forecast_category_label -%}
    coalesce(
        {{ to_string('versions.forecast_category_name') }},
        {{ to_string('versions.forecast_category') }}
    )
{%- endset -%}

with

opportunities as (

    select * from {{ source('salesforce', 'salesforce__opportunity') }}

),

opportunity_history as (

    select * from {{ source('salesforce', 'salesforce__opportunity_history') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'salesforce'

),

-- Fivetran's history mode keeps every version with the time it started
-- (_fivetran_start); an opportunity without history versions is known by its current
-- row, dated by its last modification (or the connector's sync).
history_versions as (

    select
        id,
        name,
        account_id,
        owner_id,
        type,
        stage_name,
        forecast_category,
        forecast_category_name,
        amount,
        currency_iso_code,
        probability,
        close_date,
        created_date,
        is_closed,
        is_deleted,
        next_step,
        lead_source,
        _fivetran_start as version_started_at,
        _extract_date,
        _source_file,
        _source_row,
        _loaded_at

    from opportunity_history

),

current_rows_without_history as (

    select
        id,
        name,
        account_id,
        owner_id,
        type,
        stage_name,
        forecast_category,
        forecast_category_name,
        amount,
        currency_iso_code,
        probability,
        close_date,
        created_date,
        is_closed,
        is_deleted,
        next_step,
        lead_source,
        coalesce(last_modified_date, _fivetran_synced) as version_started_at,
        _extract_date,
        _source_file,
        _source_row,
        _loaded_at

    from opportunities
    where id not in (select history_versions.id from history_versions)

),

versions as (

    select * from history_versions
    union all
    select * from current_rows_without_history

),

renamed as (

    select

        ---------- ids
        {{ to_string('versions.id') }} as deal_id,
        {{ to_string('versions.account_id') }} as account_id,
        {{ to_string('versions.owner_id') }} as owner_id,

        ---------- strings
        {{ to_string('versions.name') }} as deal_name,
        'default' as source_pipeline,
        {{ to_string('versions.stage_name') }} as source_stage,
        -- ForecastCategoryName (the label a rep picks), else ForecastCategory (its API
        -- value: BestCase, Forecast for commit). Another value is no category (the gate
        -- warns) and the stage's applies (int_deal_versions).
        case {{ forecast_category_label }}
            when 'Omitted' then 'omitted'
            when 'Pipeline' then 'pipeline'
            when 'Best Case' then 'best_case'
            when 'BestCase' then 'best_case'
            when 'Commit' then 'commit'
            when 'Forecast' then 'commit'
            when 'Closed' then 'closed'
        end as forecast_category,
        case {{ to_string('versions.type') }}
            when 'New Business' then 'new_business'
            when 'Existing Business' then 'expansion'
            when 'Renewal' then 'renewal'
        end as deal_type,
        -- A multi-currency org exports each opportunity's CurrencyIsoCode; a
        -- single-currency org has no such field and its amounts are in the reporting
        -- currency.
        coalesce(
            upper({{ to_string('versions.currency_iso_code') }}), '{{ var("reporting_currency") }}'
        ) as currency,
        {{ to_string('versions.next_step') }} as next_step,
        {{ to_string('versions.lead_source') }} as lead_source,

        ---------- numerics
        {{ to_numeric('versions.amount') }} as amount,
        -- Salesforce gives 0-100; a value outside it is no probability (the gate warns)
        -- and the stage's default applies. Cast back after dividing: engines differ in
        -- the scale a decimal quotient gets (PostgreSQL keeps 20 places).
        case
            when {{ to_numeric('versions.probability') }} between 0 and 100
                then cast(
                    {{ to_numeric('versions.probability') }} / 100 as {{ dbt.type_numeric() }}
                )
        end as probability,

        ---------- booleans
        coalesce({{ to_boolean('versions.is_closed') }}, false) as is_closed,
        coalesce({{ to_boolean('versions.is_deleted') }}, false) as is_deleted,

        ---------- dates
        {{ to_date('versions.close_date') }} as expected_close_date,

        ---------- timestamps
        {{ to_utc_timestamp('versions.created_date') }} as created_at,
        {{ to_utc_timestamp('versions.version_started_at') }} as updated_at,

        ---------- lineage
        {{ lineage_columns('versions') }}

    from versions

),

versions_mapped as (

    select
        renamed.*,
        stage_mappings.pipeline,
        stage_mappings.stage

    from renamed
    left join stage_mappings
        on
            renamed.source_pipeline = stage_mappings.source_pipeline
            and renamed.source_stage = stage_mappings.source_stage

),

latest_deliveries as (

    {{ latest_version('versions_mapped', ['deal_id', 'updated_at']) }}

),

deduplicated as (

    select
        {{ hash_key(['deal_id', 'updated_at']) }} as deal_version_id,
        deal_id,
        account_id,
        owner_id,
        deal_name,
        pipeline,
        deal_type,
        stage,
        forecast_category,
        source_pipeline,
        source_stage,
        currency,
        cast(null as {{ dbt.type_string() }}) as lost_reason,
        next_step,
        cast(null as {{ dbt.type_string() }}) as obstacles,
        cast(null as {{ dbt.type_string() }}) as champion,
        lead_source,
        amount,
        probability,
        is_deleted,
        expected_close_date,
        created_at,
        -- A closed opportunity's CloseDate is when it closed.
        case
            when is_closed then cast(expected_close_date as {{ dbt.type_timestamp() }})
        end as closed_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from latest_deliveries

)

select * from deduplicated
