with

source as (

    select * from {{ source('canonical', 'deals') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, ['deal_id', 'account_id', 'owner_id']) }},

        ---------- strings
        {{ cast_columns(to_string, ['deal_name', 'pipeline', 'deal_type']) }},
        -- `stage` is a keyword in some dialects, but it is the contract's column name.
        {{ to_string('stage') }} as stage,
        -- The deal's own forecast category, when the CRM sets one; another value is no
        -- category (the gate warns) and the stage's applies (int_deal_versions).
        case
            when
                {{ to_string('forecast_category') }} in (
                    'omitted', 'pipeline', 'best_case', 'commit', 'closed'
                )
                then {{ to_string('forecast_category') }}
        end as forecast_category,
        {{ to_string('currency') }} as currency,
        {{ to_string('lost_reason') }} as lost_reason,
        {{ to_string('next_step') }} as next_step,
        {{ to_string('obstacles') }} as obstacles,
        {{ to_string('champion') }} as champion,
        {{ to_string('source') }} as lead_source,

        ---------- numerics
        {{ cast_columns(to_numeric, ['amount', 'probability']) }},

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        {{ to_date('expected_close_date') }} as expected_close_date,

        ---------- timestamps
        {{ cast_columns(to_utc_timestamp, ['created_at', 'closed_at', 'updated_at']) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
