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
        {{ to_date('period_start') }} as period_start,
        {{ to_date('period_end') }} as period_end,

        ---------- lineage
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

-- Quotas carry no updated_at: the latest extract that carries a quota row decides it.
quotas_ranked as (

    select
        renamed.*,
        row_number() over (
            partition by owner_id, period_start, period_end, quota_type
            order by extract_date desc, loaded_at desc, source_row desc
        ) as delivery_rank

    from renamed

),

deduplicated as (

    select
        {{ hash_key(['owner_id', 'period_start', 'period_end', 'quota_type']) }} as quota_id,
        owner_id,
        currency,
        quota_type,
        quota_amount,
        period_start,
        period_end,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from quotas_ranked
    where delivery_rank = 1

)

select * from deduplicated
