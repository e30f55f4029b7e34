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
            {{ rate_on_day('quotas.currency', 'quotas.period_start') }}
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

-- Every bookings quota row as spans to prorate: a rep's row split by team (above), a
-- team's or `company`'s row whole.
quota_spans as (

    select
        'rep' as level,
        owner_id,
        team,
        row_days,
        quota_amount,
        span_start,
        span_end_exclusive

    from rep_quota_team_spans

    union all

    select
        level,
        owner_id,
        cast(null as {{ dbt.type_string() }}) as team,
        row_days,
        quota_amount,
        period_start as span_start,
        period_end_exclusive as span_end_exclusive

    from quota_rows_classified
    where level in ('team', 'company')

),

-- docs/metrics.md "Quota and attainment": quota_amount x days of overlap / days of the row.
quota_by_period as (

    select
        periods.period_type,
        periods.period_start,
        quota_spans.level,
        quota_spans.owner_id,
        quota_spans.team,
        quota_spans.quota_amount
        * {{ dbt.datediff(
            'greatest(periods.period_start, quota_spans.span_start)',
            'least(periods.next_period_start, quota_spans.span_end_exclusive)',
            'day'
        ) }}
        / cast(quota_spans.row_days as {{ dbt.type_numeric() }}) as prorated_quota

    from quota_spans
    inner join periods
        on
            quota_spans.span_end_exclusive > periods.period_start
            and quota_spans.span_start < periods.next_period_start

),

levels as (

    {{ reporting_levels() }}

),

-- The reps' quotas at rep level, and summed for the team each rep was in and the company.
quotas_from_reps as (

    select
        quota_by_period.period_type,
        quota_by_period.period_start,
        levels.level,
        case levels.level
            when 'rep' then quota_by_period.owner_id
            when 'team' then coalesce(quota_by_period.team, 'unassigned')
            else 'company'
        end as entity_id,
        sum(quota_by_period.prorated_quota) as quota

    from quota_by_period
    cross join levels
    where quota_by_period.level = 'rep'
    group by 1, 2, 3, 4

),

given_quotas as (

    select
        period_type,
        period_start,
        level,
        owner_id as entity_id,
        sum(prorated_quota) as quota

    from quota_by_period
    where level in ('team', 'company')
    group by 1, 2, 3, 4

),

-- A quota given for a team or `company` wins over the sum of its reps' quotas.
final as (

    select
        coalesce(given_quotas.period_type, quotas_from_reps.period_type) as period_type,
        coalesce(given_quotas.period_start, quotas_from_reps.period_start) as period_start,
        coalesce(given_quotas.level, quotas_from_reps.level) as level,
        coalesce(given_quotas.entity_id, quotas_from_reps.entity_id) as entity_id,
        cast(coalesce(given_quotas.quota, quotas_from_reps.quota) as {{ dbt.type_numeric() }})
            as quota

    from given_quotas
    full outer join quotas_from_reps
        on
            given_quotas.period_type = quotas_from_reps.period_type
            and given_quotas.period_start = quotas_from_reps.period_start
            and given_quotas.level = quotas_from_reps.level
            and given_quotas.entity_id = quotas_from_reps.entity_id

)

select * from final
