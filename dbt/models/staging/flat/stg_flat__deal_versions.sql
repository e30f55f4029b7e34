with

source as (

    select * from {{ source('flat', 'flat__sales_pipeline') }}

),

-- A flat export carries no pipeline, currency, probability or updated_at: one pipeline
-- (`default`, which int_flat__deal_versions maps), amounts in the reporting currency,
-- the stage's default probability, and the extract a version arrived in as its
-- updated_at.
renamed as (

    select

        ---------- ids
        {{ to_string('opportunity_id') }} as deal_id,
        {{ to_string('account') }} as account_id,
        {{ to_string('sales_agent') }} as owner_id,

        ---------- strings
        {{ to_string('product') }} as deal_name,
        'default' as source_pipeline,
        {{ to_string('deal_stage') }} as source_stage,
        '{{ var("reporting_currency") }}' as currency,

        ---------- numerics
        {{ to_numeric('close_value') }} as amount,

        ---------- dates
        {{ cast_columns(to_date, ['close_date', 'engage_date']) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

versions_dated as (

    select
        renamed.*,
        -- Deals still prospecting have no engage date: the first extract that shows the
        -- deal is the earliest date it is known to exist.
        coalesce(
            cast(renamed.engage_date as {{ dbt.type_timestamp() }}),
            min(cast(renamed.extract_date as {{ dbt.type_timestamp() }}))
                over (partition by renamed.deal_id)
        ) as created_at,
        cast(renamed.extract_date as {{ dbt.type_timestamp() }}) as updated_at

    from renamed

),

-- The same deal in two files of one extract cannot happen (one file per drop); a deal
-- delivered again unchanged is not stored again by the loader.
latest_deliveries as (

    {{ latest_version('versions_dated', ['deal_id', 'updated_at']) }}

),

deduplicated as (

    select
        {{ hash_key(['deal_id', 'updated_at']) }} as deal_version_id,
        deal_id,
        account_id,
        owner_id,
        deal_name,
        cast(null as {{ dbt.type_string() }}) as deal_type,
        -- A flat export carries no forecast category: the stage's applies.
        cast(null as {{ dbt.type_string() }}) as forecast_category,
        source_pipeline,
        source_stage,
        currency,
        cast(null as {{ dbt.type_string() }}) as lost_reason,
        cast(null as {{ dbt.type_string() }}) as next_step,
        cast(null as {{ dbt.type_string() }}) as obstacles,
        cast(null as {{ dbt.type_string() }}) as champion,
        cast(null as {{ dbt.type_string() }}) as lead_source,
        amount,
        cast(null as {{ dbt.type_numeric() }}) as probability,
        false as is_deleted,
        -- The close date is the only date an export gives for an open deal's close.
        close_date as expected_close_date,
        created_at,
        cast(close_date as {{ dbt.type_timestamp() }}) as closed_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from latest_deliveries

)

select * from deduplicated
