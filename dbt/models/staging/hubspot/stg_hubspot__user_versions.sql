with

owners as (

    select * from {{ source('hubspot', 'hubspot__owner') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('owner_id') }} as user_id,

        ---------- strings
        coalesce(
            nullif(
                trim(
                    {{ dbt.concat([
                        "coalesce(" ~ to_string('first_name') ~ ", '')",
                        "' '",
                        "coalesce(" ~ to_string('last_name') ~ ", '')",
                    ]) }}
                ),
                ''
            ),
            {{ to_string('email') }},
            {{ to_string('owner_id') }}
        ) as full_name,
        {{ to_string('email') }} as email,

        ---------- booleans
        coalesce({{ to_boolean('is_active') }}, true) as is_active,

        ---------- timestamps
        {{ to_utc_timestamp('created_at') }} as hired_at,
        {{ to_utc_timestamp(
            'coalesce(updated_at, _fivetran_synced, '
            ~ 'cast(_extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from owners

),

latest_deliveries as (

    {{ latest_version('renamed', ['user_id', 'updated_at'], id='user_version_id') }}

)

select * from latest_deliveries
