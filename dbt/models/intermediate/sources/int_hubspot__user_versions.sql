with

owner_versions as (

    select * from {{ ref('stg_hubspot__user_versions') }}

),

owner_teams as (

    select * from {{ ref('stg_hubspot__owner_teams') }}

),

teams as (

    select * from {{ ref('stg_hubspot__teams') }}

),

-- An owner in several teams belongs to its primary one (is_team_primary), as of the
-- latest delivery of its memberships.
memberships_ranked as (

    select
        owner_id,
        team_id,
        row_number() over (
            partition by owner_id
            order by
                extract_date desc,
                case when is_team_primary then 0 else 1 end asc,
                team_id asc
        ) as membership_rank

    from owner_teams

),

primary_teams as (

    select
        owner_id,
        team_id

    from memberships_ranked
    where membership_rank = 1

),

-- HubSpot owners carry no sales role or manager: every owner is a rep.
owner_versions_with_team as (

    select
        owner_versions.*,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        'rep' as role,
        coalesce(teams.team_name, primary_teams.team_id) as team,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as ote_currency,
        cast(null as {{ dbt.type_numeric() }}) as ote_amount

    from owner_versions
    left join primary_teams on owner_versions.user_id = primary_teams.owner_id
    left join teams on primary_teams.team_id = teams.team_id

)

select * from owner_versions_with_team
