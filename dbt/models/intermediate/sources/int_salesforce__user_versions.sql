with

user_versions as (

    select * from {{ ref('stg_salesforce__user_versions') }}

),

user_roles as (

    select * from {{ ref('stg_salesforce__user_roles') }}

),

-- Salesforce users carry no sales role: every user is a rep, in the team of its role.
user_versions_with_team as (

    select
        user_versions.*,
        'rep' as role,
        coalesce(user_roles.role_name, user_versions.user_role_id) as team,
        cast(null as {{ dbt.type_string() }}) as ote_currency,
        cast(null as {{ dbt.type_numeric() }}) as ote_amount

    from user_versions
    left join user_roles on user_versions.user_role_id = user_roles.user_role_id

)

select * from user_versions_with_team
