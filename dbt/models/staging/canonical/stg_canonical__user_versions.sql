with

source as (

    select * from {{ source('canonical', 'users') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, ['user_id', 'manager_id']) }},

        ---------- strings
        {{ cast_columns(to_string, ['full_name', 'email']) }},
        -- `role` is a keyword in some dialects, but it is the contract's column name.
        {{ cast_columns(to_string, ['role', 'team', 'region', 'ote_currency']) }},

        ---------- numerics
        {{ to_numeric('ote_amount') }} as ote_amount,

        ---------- booleans
        {{ to_boolean('is_active') }} as is_active,

        ---------- timestamps
        {{ cast_columns(to_utc_timestamp, ['hired_at', 'updated_at']) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- The same version (user_id, updated_at) can arrive again in a later extract, written
-- differently or corrected: the latest delivery of it wins.
latest_deliveries as (

    {{ latest_version('renamed', ['user_id', 'updated_at'], id='user_version_id') }}

)

select * from latest_deliveries
