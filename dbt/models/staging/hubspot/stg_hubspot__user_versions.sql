with

owners as (

    select * from {{ source('hubspot', 'hubspot__owner') }}

),

owner_teams as (

    select * from {{ source('hubspot', 'hubspot__owner_team') }}

),

teams as (

    select * from {{ source('hubspot', 'hubspot__team') }}

),

-- A team's name as its latest delivery gives it.
team_names_ranked as (

    select
        {{ to_string('id') }} as team_id,
        {{ to_string('name') }} as team_name,
        row_number() over (
            partition by {{ to_string('id') }}
            order by _extract_date desc, _loaded_at desc, _source_row desc
        ) as recency_rank

    from teams

),

team_names as (

    select
        team_id,
        team_name

    from team_names_ranked
    where recency_rank = 1

),

-- An owner in several teams belongs to its primary one (is_team_primary), as of the
-- latest delivery of its memberships.
owner_teams_ranked as (

    select
        {{ to_string('owner_id') }} as owner_id,
        {{ to_string('team_id') }} as team_id,
        row_number() over (
            partition by {{ to_string('owner_id') }}
            order by
                _extract_date desc,
                case when {{ to_boolean('is_team_primary') }} then 0 else 1 end,
                {{ to_string('team_id') }}
        ) as membership_rank

    from owner_teams

),

primary_teams as (

    select
        owner_id,
        team_id

    from owner_teams_ranked
    where membership_rank = 1

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
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from owners

),

versions_ranked as (

    select
        renamed.*,
        coalesce(team_names.team_name, primary_teams.team_id) as team,
        row_number() over (
            partition by renamed.user_id, renamed.updated_at
            order by renamed.extract_date desc, renamed.loaded_at desc, renamed.source_row desc
        ) as delivery_rank

    from renamed
    left join primary_teams on renamed.user_id = primary_teams.owner_id
    left join team_names on primary_teams.team_id = team_names.team_id

),

-- HubSpot owners carry no sales role or manager: every owner is a rep.
deduplicated as (

    select
        {{ hash_key(['user_id', 'updated_at']) }} as user_version_id,
        user_id,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        full_name,
        email,
        'rep' as role,
        team,
        cast(null as {{ dbt.type_string() }}) as region,
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
