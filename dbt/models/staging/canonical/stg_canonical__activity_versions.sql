with

source as (

    select * from {{ source('canonical', 'activities') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('activity_id') }} as activity_id,
        {{ to_string('owner_id') }} as owner_id,
        {{ to_string('deal_id') }} as deal_id,
        {{ to_string('account_id') }} as account_id,
        {{ to_string('lead_id') }} as lead_id,

        ---------- strings
        {{ to_string('activity_type') }} as activity_type,
        {{ to_string('direction') }} as direction,
        {{ to_string('status') }} as status,
        {{ to_string('outcome') }} as outcome,
        {{ to_string('meeting_type') }} as meeting_type,

        ---------- numerics
        {{ to_integer('duration_seconds') }} as duration_seconds,

        ---------- timestamps
        {{ to_utc_timestamp('scheduled_at') }} as scheduled_at,
        {{ to_utc_timestamp('completed_at') }} as completed_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
