with

periods as (

    select * from {{ ref('int_attainment_periods') }}

),

quotas as (

    select * from {{ ref('int_attainment_quotas') }}

),

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

users as (

    select * from {{ ref('int_source_users') }}

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

-- docs/metrics.md "bookings": amount at close of closed-won deals, credited to the owner at
-- close and the team that owner was in on the close date, at rep, team and company level
-- (int_owner_levels). A null amount counts as 0.
bookings_by_level as (

    select
        periods.period_type,
        periods.period_start,
        owner_levels.level,
        owner_levels.entity_id,
        sum(coalesce(deal_closes.amount, 0)) as bookings

    from deal_closes
    inner join periods
        on
            deal_closes.close_date >= periods.period_start
            and deal_closes.close_date < periods.next_period_start
    inner join owner_levels
        on
            {{ owner_on_day('deal_closes.owner_id', 'deal_closes.close_date') }}
    where
        deal_closes.is_won
        and deal_closes.close_date <= {{ as_of_date() }}
    group by
        periods.period_type, periods.period_start, owner_levels.level, owner_levels.entity_id

),

periods_with_figures as (

    select
        period_type,
        period_start
    from quotas

    union all

    select
        period_type,
        period_start
    from bookings_by_level

),

first_periods_with_figures as (

    select
        period_type,
        min(period_start) as first_period_start

    from periods_with_figures
    group by period_type

),

-- The company has a row for every period from the first one with a quota or a booking
-- up to the as-of date; reps and teams have one where they hold a quota or booked.
company_entities as (

    select
        periods.period_type,
        periods.period_start,
        'company' as level,
        'company' as entity_id

    from periods
    inner join first_periods_with_figures
        on
            periods.period_type = first_periods_with_figures.period_type
            and periods.period_start >= first_periods_with_figures.first_period_start

),

entities as (

    select
        period_type,
        period_start,
        level,
        entity_id
    from company_entities
    union
    select
        period_type,
        period_start,
        level,
        entity_id
    from quotas
    union
    select
        period_type,
        period_start,
        level,
        entity_id
    from bookings_by_level

),

entities_with_figures as (

    select
        entities.period_type,
        entities.period_start,
        periods.next_period_start,
        periods.days_in_period,
        periods.days_elapsed,
        periods.is_current_period,
        periods.as_of_date,
        entities.level,
        entities.entity_id,
        case
            when entities.level = 'rep' then coalesce(users.full_name, entities.entity_id)
            else entities.entity_id
        end as entity_name,
        quotas.quota,
        coalesce(bookings_by_level.bookings, 0) as bookings

    from entities
    inner join periods
        on
            entities.period_type = periods.period_type
            and entities.period_start = periods.period_start
    left join quotas
        on
            entities.period_type = quotas.period_type
            and entities.period_start = quotas.period_start
            and entities.level = quotas.level
            and entities.entity_id = quotas.entity_id
    left join bookings_by_level
        on
            entities.period_type = bookings_by_level.period_type
            and entities.period_start = bookings_by_level.period_start
            and entities.level = bookings_by_level.level
            and entities.entity_id = bookings_by_level.entity_id
    left join users
        on
            entities.level = 'rep'
            and entities.entity_id = users.user_id
    where periods.period_start <= periods.as_of_date

),

final as (

    select
        {{ hash_key(['period_type', 'period_start', 'level', 'entity_id']) }} as attainment_id,
        period_type,
        period_start,
        next_period_start,
        cast(days_in_period as {{ dbt.type_bigint() }}) as days_in_period,
        level,
        entity_id,
        entity_name,
        cast(quota as {{ dbt.type_numeric() }}) as quota,
        cast(bookings as {{ dbt.type_numeric() }}) as bookings,
        case
            when quota <> 0
                then cast(bookings * 100 / quota as {{ dbt.type_numeric() }})
        end as attainment_pct,
        is_current_period,
        case
            when is_current_period and period_type = 'week' then 'WTD'
            when is_current_period and period_type = 'month' then 'MTD'
            when is_current_period and period_type = 'quarter' then 'QTD'
            when is_current_period and period_type = 'year' then 'YTD'
        end as to_date_label,
        case
            when is_current_period then cast(bookings as {{ dbt.type_numeric() }})
        end as bookings_to_date,
        cast(days_elapsed as {{ dbt.type_bigint() }}) as days_elapsed,
        cast(
            days_elapsed * 100 / cast(days_in_period as {{ dbt.type_numeric() }})
            as {{ dbt.type_numeric() }}
        ) as expected_pace_pct,
        cast(quota - bookings as {{ dbt.type_numeric() }}) as gap_to_quota,
        as_of_date

    from entities_with_figures

)

select * from final
