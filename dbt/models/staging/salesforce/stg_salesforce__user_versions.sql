with

source as (

    select * from {{ source('salesforce', 'salesforce__user') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('id') }} as user_id,
        {{ to_string('manager_id') }} as manager_id,
        {{ to_string('user_role_id') }} as user_role_id,

        ---------- strings
        {{ cast_columns(to_string, {'full_name': 'name', 'email': 'email', 'region': 'country'}) }},

        ---------- booleans
        coalesce({{ to_boolean('is_active') }}, true) as is_active,

        ---------- timestamps
        {{ to_utc_timestamp('created_date') }} as hired_at,
        {{ to_utc_timestamp(
            'coalesce(last_modified_date, _fivetran_synced, '
            ~ 'cast(_extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

latest_deliveries as (

    {{ latest_version('renamed', ['user_id', 'updated_at'], id='user_version_id') }}

)

select * from latest_deliveries
