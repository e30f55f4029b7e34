with

source as (

    select * from {{ source('canonical', 'quotas') }}

),

renamed as (

    select

        ---------- ids
        -- A rep's user_id, or a team or `company` when quotas are set at that level.
        {{ to_string('owner_id') }} as owner_id,

        ---------- strings
        {{ to_string('currency') }} as currency,
        coalesce({{ to_string('quota_type') }}, 'bookings') as quota_type,

        ---------- numerics
        {{ to_numeric('quota_amount') }} as quota_amount,

        ---------- dates
        {{ cast_columns(to_date, ['period_start', 'period_end']) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- Quotas carry no updated_at: the latest extract that carries a quota row decides it.
latest_deliveries as (

    {{ latest_version(
        'renamed',
        ['owner_id', 'period_start', 'period_end', 'quota_type'],
        by_updated_at=false,
        id='quota_id'
    ) }}

)

select * from latest_deliveries
