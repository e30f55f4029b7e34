with

user_team_periods as (

    select * from {{ ref('int_user_team_periods') }}

),

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

accounts as (

    select * from {{ ref('int_source_accounts') }}

),

-- docs/metrics.md "Owner and team at the time": a user's team on each day. The last span
-- never ends (9999-12-31), so a day is in a span when valid_from_date <= day <
-- valid_to_date.
user_teams as (

    select
        user_id as owner_id,
        coalesce(team, 'unassigned') as team,
        valid_from_date,
        coalesce(valid_to_date, cast('9999-12-31' as date)) as valid_to_date

    from user_team_periods

),

-- Owners a deal or an account names that no user export knows, and `unassigned` (a deal
-- or account without owner): in the team `unassigned` on every day.
named_owners as (

    select owner_id from deal_versions
    union
    select coalesce(owner_id, 'unassigned') as owner_id from accounts

),

owners_without_user as (

    select
        named_owners.owner_id,
        'unassigned' as team,
        cast('1900-01-01' as date) as valid_from_date,
        cast('9999-12-31' as date) as valid_to_date

    from named_owners
    left join user_team_periods
        on named_owners.owner_id = user_team_periods.user_id
    where user_team_periods.user_id is null

),

owner_teams as (

    select * from user_teams
    union all
    select * from owners_without_user

),

-- `level` is the marts' public column name (docs/metrics.md), though a keyword to the linter.
levels as (

    {{ reporting_levels() }}

),

owner_levels as (

    select
        owner_teams.owner_id,
        owner_teams.team,
        owner_teams.valid_from_date,
        owner_teams.valid_to_date,
        levels.level,
        case levels.level
            when 'rep' then owner_teams.owner_id
            when 'team' then owner_teams.team
            else 'company'
        end as entity_id

    from owner_teams
    cross join levels

)

select * from owner_levels
