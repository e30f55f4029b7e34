with

source as (

    select * from {{ source('canonical', 'activities') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, [
            'activity_id', 'owner_id', 'deal_id', 'account_id', 'lead_id',
        ]) }},

        ---------- strings
        {{ cast_columns(to_string, [
            'activity_type', 'direction', 'status', 'outcome', 'meeting_type',
        ]) }},

        ---------- numerics
        {{ to_integer('duration_seconds') }} as duration_seconds,

        ---------- timestamps
        {{ cast_columns(to_utc_timestamp, ['scheduled_at', 'completed_at', 'updated_at']) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
