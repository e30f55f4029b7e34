with

quotas as (

    select * from {{ ref('int_source_quotas') }}

),

users as (

    select * from {{ ref('int_source_users') }}

),

user_team_periods as (

    select * from {{ ref('int_user_team_periods') }}

),

currency_rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

periods as (

    select * from {{ ref('int_attainment_periods') }}

),

team_names as (

    select distinct team from user_team_periods
    where team is not null

),

-- A quota row belongs to a rep (a user id), the company (`company`) or a team (a team
-- name); an owner that is none of these is kept as a rep, so no quota is lost.
-- Converted at the rate in force on the row's period_start.
quota_rows_classified as (

    select
        quotas.quota_id,
        quotas.owner_id,
        quotas.period_start,
        cast({{ dbt.dateadd('day', 1, 'quotas.period_end') }} as date) as period_end_exclusive,
        {{ dbt.datediff(
            'quotas.period_start', 'quotas.period_end', 'day'
        ) }} + 1
            as row_days,
        cast(
            quotas.quota_amount * currency_rate_periods.rate_to_reporting
            as {{ dbt.type_numeric() }}
        ) as quota_amount,
        case
            when quotas.owner_id = 'company' then 'company'
            when users.user_id is not null then 'rep'
            when team_names.team is not null then 'team'
            else 'rep'
        end as level

    from quotas
    left join users
        on quotas.owner_id = users.user_id
    left join team_names
        on quotas.owner_id = team_names.team
    left join currency_rate_periods
        on
            quotas.currency = currency_rate_periods.currency
            and quotas.period_start >= currency_rate_periods.valid_from
            and (
                currency_rate_periods.valid_to is null
                or quotas.period_start < currency_rate_periods.valid_to
            )
    where quotas.quota_type = 'bookings'

),

-- A rep's quota row split by the team the rep was in, so a rep who changes team
-- mid-period hands each team the days spent in it.
rep_quota_team_spans as (

    select
        quota_rows_classified.quota_id,
        quota_rows_classified.owner_id,
        user_team_periods.team,
        quota_rows_classified.row_days,
        quota_rows_classified.quota_amount,
        case
            when
                user_team_periods.valid_from_date is null
                or user_team_periods.valid_from_date < quota_rows_classified.period_start
                then quota_rows_classified.period_start
            else user_team_periods.valid_from_date
        end as span_start,
        case
            when
                user_team_periods.valid_to_date is null
                or user_team_periods.valid_to_date > quota_rows_classified.period_end_exclusive
                then quota_rows_classified.period_end_exclusive
            else user_team_periods.valid_to_date
        end as span_end_exclusive

    from quota_rows_classified
    left join user_team_periods
        on
            quota_rows_classified.owner_id = user_team_periods.user_id
            and quota_rows_classified.period_end_exclusive > user_team_periods.valid_from_date
            and (
                user_team_periods.valid_to_date is null
                or quota_rows_classified.period_start < user_team_periods.valid_to_date
            )
    where quota_rows_classified.level = 'rep'

),

-- docs/metrics.md "Quota and attainment": quota_amount x days of overlap / days of the row.
rep_quota_by_period as (

    select
        periods.period_type,
        periods.period_start,
        rep_quota_team_spans.owner_id,
        rep_quota_team_spans.team,
        rep_quota_team_spans.quota_amount
        * {{ dbt.datediff(
            'greatest(periods.period_start, rep_quota_team_spans.span_start)',
            'least(periods.next_period_start, rep_quota_team_spans.span_end_exclusive)',
            'day'
        ) }}
        / cast(rep_quota_team_spans.row_days as {{ dbt.type_numeric() }}) as prorated_quota

    from rep_quota_team_spans
    inner join periods
        on
            rep_quota_team_spans.span_end_exclusive > periods.period_start
            and rep_quota_team_spans.span_start < periods.next_period_start

),

given_quota_by_period as (

    select
        periods.period_type,
        periods.period_start,
        quota_rows_classified.level,
        quota_rows_classified.owner_id as entity_id,
        quota_rows_classified.quota_amount
        * {{ dbt.datediff(
            'greatest(periods.period_start, quota_rows_classified.period_start)',
            'least(periods.next_period_start, quota_rows_classified.period_end_exclusive)',
            'day'
        ) }}
        / cast(quota_rows_classified.row_days as {{ dbt.type_numeric() }}) as prorated_quota

    from quota_rows_classified
    inner join periods
        on
            quota_rows_classified.period_end_exclusive > periods.period_start
            and quota_rows_classified.period_start < periods.next_period_start
    where quota_rows_classified.level in ('team', 'company')

),

rep_quotas as (

    select
        period_type,
        period_start,
        'rep' as level,
        owner_id as entity_id,
        sum(prorated_quota) as quota

    from rep_quota_by_period
    group by period_type, period_start, owner_id

),

team_quotas_from_reps as (

    select
        period_type,
        period_start,
        'team' as level,
        coalesce(team, 'unassigned') as entity_id,
        sum(prorated_quota) as quota

    from rep_quota_by_period
    group by period_type, period_start, coalesce(team, 'unassigned')

),

company_quotas_from_reps as (

    select
        period_type,
        period_start,
        'company' as level,
        'company' as entity_id,
        sum(prorated_quota) as quota

    from rep_quota_by_period
    group by period_type, period_start

),

given_quotas as (

    select
        period_type,
        period_start,
        level,
        entity_id,
        sum(prorated_quota) as quota

    from given_quota_by_period
    group by period_type, period_start, level, entity_id

),

rolled_up_quotas as (

    select * from team_quotas_from_reps
    union all
    select * from company_quotas_from_reps

),

-- A quota given for a team or `company` wins over the sum of its reps' quotas.
team_and_company_quotas as (

    select
        coalesce(given_quotas.period_type, rolled_up_quotas.period_type) as period_type,
        coalesce(given_quotas.period_start, rolled_up_quotas.period_start) as period_start,
        coalesce(given_quotas.level, rolled_up_quotas.level) as level,
        coalesce(given_quotas.entity_id, rolled_up_quotas.entity_id) as entity_id,
        coalesce(given_quotas.quota, rolled_up_quotas.quota) as quota

    from given_quotas
    full outer join rolled_up_quotas
        on
            given_quotas.period_type = rolled_up_quotas.period_type
            and given_quotas.period_start = rolled_up_quotas.period_start
            and given_quotas.level = rolled_up_quotas.level
            and given_quotas.entity_id = rolled_up_quotas.entity_id

),

final as (

    select
        period_type,
        period_start,
        level,
        entity_id,
        cast(quota as {{ dbt.type_numeric() }}) as quota
    from rep_quotas

    union all

    select
        period_type,
        period_start,
        level,
        entity_id,
        cast(quota as {{ dbt.type_numeric() }}) as quota
    from team_and_company_quotas

)

select * from final
