with

users as (

    select * from {{ source('salesforce', 'salesforce__user') }}

),

user_roles as (

    select * from {{ source('salesforce', 'salesforce__user_role') }}

),

-- A role's name is the team; its latest delivery names it.
role_names_ranked as (

    select
        {{ to_string('id') }} as user_role_id,
        {{ to_string('name') }} as role_name,
        row_number() over (
            partition by {{ to_string('id') }}
            order by _extract_date desc, _loaded_at desc, _source_row desc
        ) as recency_rank

    from user_roles

),

role_names as (

    select
        user_role_id,
        role_name

    from role_names_ranked
    where recency_rank = 1

),

renamed as (

    select

        ---------- ids
        {{ to_string('users.id') }} as user_id,
        {{ to_string('users.manager_id') }} as manager_id,
        {{ to_string('users.user_role_id') }} as user_role_id,

        ---------- strings
        {{ to_string('users.name') }} as full_name,
        {{ to_string('users.email') }} as email,
        {{ to_string('users.country') }} as region,

        ---------- booleans
        coalesce({{ to_boolean('users.is_active') }}, true) as is_active,

        ---------- timestamps
        {{ to_utc_timestamp('users.created_date') }} as hired_at,
        {{ to_utc_timestamp(
            'coalesce(users.last_modified_date, users._fivetran_synced, '
            ~ 'cast(users._extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,

        ---------- lineage
        users._extract_date as extract_date,
        users._source_file as source_file,
        users._source_row as source_row,
        users._loaded_at as loaded_at

    from users

),

versions_ranked as (

    select
        renamed.*,
        role_names.role_name,
        row_number() over (
            partition by renamed.user_id, renamed.updated_at
            order by renamed.extract_date desc, renamed.loaded_at desc, renamed.source_row desc
        ) as delivery_rank

    from renamed
    left join role_names on renamed.user_role_id = role_names.user_role_id

),

-- Salesforce users carry no sales role: every user is a rep, in the team of its role.
deduplicated as (

    select
        {{ hash_key(['user_id', 'updated_at']) }} as user_version_id,
        user_id,
        manager_id,
        full_name,
        email,
        'rep' as role,
        coalesce(role_name, user_role_id) as team,
        region,
        cast(null as {{ dbt.type_string() }}) as ote_currency,
        cast(null as {{ dbt.type_numeric() }}) as ote_amount,
        is_active,
        hired_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where delivery_rank = 1

)

select * from deduplicated
