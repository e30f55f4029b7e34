with

source as (

    select * from {{ source('canonical', 'users') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('user_id') }} as user_id,
        {{ to_string('manager_id') }} as manager_id,

        ---------- strings
        {{ to_string('full_name') }} as full_name,
        {{ to_string('email') }} as email,
        -- `role` is a keyword in some dialects, but it is the contract's column name.
        {{ to_string('role') }} as role,
        {{ to_string('team') }} as team,
        {{ to_string('region') }} as region,
        {{ to_string('ote_currency') }} as ote_currency,

        ---------- numerics
        {{ to_numeric('ote_amount') }} as ote_amount,

        ---------- booleans
        {{ to_boolean('is_active') }} as is_active,

        ---------- timestamps
        {{ to_utc_timestamp('hired_at') }} as hired_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

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
