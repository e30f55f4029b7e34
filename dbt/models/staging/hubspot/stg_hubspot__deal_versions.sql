with

deals as (

    select * from {{ source('hubspot', 'hubspot__deal') }}

),

deal_companies as (

    select * from {{ source('hubspot', 'hubspot__deal_company') }}

),

pipeline_stages as (

    select * from {{ source('hubspot', 'hubspot__deal_pipeline_stage') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'hubspot'

),

-- HubSpot's own stage settings, as the latest delivery of each stage gives them: the
-- probability a deal in the stage carries (0-1) and whether the stage is closed.
hubspot_stages_ranked as (

    select
        {{ to_string('stage_id') }} as stage_id,
        {{ to_numeric('probability') }} as stage_probability,
        {{ to_boolean('is_closed') }} as is_closed_stage,
        row_number() over (
            partition by {{ to_string('stage_id') }}
            order by _extract_date desc, _loaded_at desc, _source_row desc
        ) as recency_rank

    from pipeline_stages

),

hubspot_stages as (

    select
        stage_id,
        stage_probability,
        is_closed_stage

    from hubspot_stages_ranked
    where recency_rank = 1

),

-- A deal's account is its associated company, from the latest delivery of its
-- associations; HubSpot's primary deal-to-company association (type 5) first.
deal_companies_ranked as (

    select
        {{ to_string('deal_id') }} as deal_id,
        {{ to_string('company_id') }} as company_id,
        row_number() over (
            partition by {{ to_string('deal_id') }}
            order by
                _extract_date desc,
                case when {{ to_string('type_id') }} = '5' then 0 else 1 end,
                {{ to_string('company_id') }}
        ) as association_rank

    from deal_companies

),

deal_accounts as (

    select
        deal_id,
        company_id

    from deal_companies_ranked
    where association_rank = 1

),

renamed as (

    select

        ---------- ids
        {{ to_string('deal_id') }} as deal_id,
        {{ to_string('owner_id') }} as owner_id,

        ---------- strings
        {{ to_string('property_dealname') }} as deal_name,
        {{ to_string('deal_pipeline_id') }} as source_pipeline,
        {{ to_string('deal_pipeline_stage_id') }} as source_stage,
        case lower({{ to_string('property_dealtype') }})
            when 'newbusiness' then 'new_business'
            when 'existingbusiness' then 'expansion'
            when 'renewal' then 'renewal'
        end as deal_type,
        coalesce(
            upper({{ to_string('property_deal_currency_code') }}), '{{ var("reporting_currency") }}'
        ) as currency,
        {{ to_string('property_closed_lost_reason') }} as lost_reason,
        {{ to_string('property_hs_next_step') }} as next_step,
        {{ to_string('property_hs_analytics_source') }} as lead_source,

        ---------- numerics
        {{ to_numeric('property_amount') }} as amount,
        {{ to_numeric('property_hs_deal_stage_probability') }} as deal_probability,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        cast({{ to_utc_timestamp('property_closedate') }} as date) as expected_close_date,

        ---------- timestamps
        {{ to_utc_timestamp('property_createdate') }} as created_at,
        {{ to_utc_timestamp(
            'coalesce(property_hs_lastmodifieddate, _fivetran_synced, '
            ~ 'cast(_extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,

        ---------- lineage
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from deals

),

versions_mapped as (

    select
        renamed.*,
        deal_accounts.company_id as account_id,
        stage_mappings.pipeline,
        stage_mappings.stage,
        -- The deal's own probability, else its HubSpot stage's; a value outside 0-1 is
        -- no probability (the gate warns) and the configured stage default applies.
        case
            when
                coalesce(renamed.deal_probability, hubspot_stages.stage_probability)
                between 0 and 1
                then coalesce(renamed.deal_probability, hubspot_stages.stage_probability)
        end as probability,
        coalesce(hubspot_stages.is_closed_stage, false) as is_closed_stage

    from renamed
    left join deal_accounts on renamed.deal_id = deal_accounts.deal_id
    left join hubspot_stages on renamed.source_stage = hubspot_stages.stage_id
    left join stage_mappings
        on
            renamed.source_pipeline = stage_mappings.source_pipeline
            and renamed.source_stage = stage_mappings.source_stage

),

versions_ranked as (

    select
        versions_mapped.*,
        row_number() over (
            partition by deal_id, updated_at
            order by extract_date desc, loaded_at desc, source_row desc
        ) as delivery_rank

    from versions_mapped

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
        -- HubSpot's Fivetran tables carry no forecast category property: the stage's
        -- applies.
        cast(null as {{ dbt.type_string() }}) as forecast_category,
        source_pipeline,
        source_stage,
        currency,
        lost_reason,
        next_step,
        cast(null as {{ dbt.type_string() }}) as obstacles,
        cast(null as {{ dbt.type_string() }}) as champion,
        lead_source,
        amount,
        probability,
        is_deleted,
        expected_close_date,
        created_at,
        -- A deal in a closed HubSpot stage closed on its close date.
        case
            when is_closed_stage then cast(expected_close_date as {{ dbt.type_timestamp() }})
        end as closed_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where delivery_rank = 1

)

select * from deduplicated
