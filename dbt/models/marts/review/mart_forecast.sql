{#- The open amounts by forecast category, and the figures whose change over seven days
    the mart states (`<figure>_change`, without `_amount`). -#}
{%- set forecast_categories = ['commit', 'best_case', 'pipeline', 'omitted'] -%}
{%- set weekly_changes = [
    'closed_won_amount', 'commit_amount', 'best_case_amount', 'pipeline_amount',
    'omitted_amount', 'weighted_amount', 'gap_after_commit',
] -%}

with

calendar as (

    select * from {{ ref('dim_calendar') }}

),

days as (

    select * from {{ ref('int_calendar_days') }}

),

-- The first as-of day this run builds (macros/rebuild_window.sql): every day on a full
-- build. Its changes over seven days read the week before it too.
first_built_day as (

    select
        {{ rebuild_from() }} as first_day,
        cast({{ dbt.dateadd('day', -7, rebuild_from()) }} as date) as first_read_day

),

daily_snapshot as (

    select snapshot_days.*

    from {{ ref('fct_deal_daily_snapshot') }} as snapshot_days
    inner join first_built_day
        on snapshot_days.snapshot_date >= first_built_day.first_read_day

),

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

quarter_quotas as (

    select
        period_start as quarter_start,
        level,
        entity_id,
        quota

    from {{ ref('mart_attainment_by_period') }}
    where period_type = 'quarter'

),

-- Each as-of day with the two quarters it forecasts: the fiscal quarter holding it and
-- the next one.
forecast_quarters as (

    select
        days.date_day as as_of_date,
        'current' as forecast_quarter,
        calendar.fiscal_quarter_start as quarter_start,
        calendar.next_fiscal_quarter_start as next_quarter_start

    from days
    inner join calendar
        on days.date_day = calendar.date_day
    inner join first_built_day
        on days.date_day >= first_built_day.first_read_day

    union all

    select
        days.date_day as as_of_date,
        'next' as forecast_quarter,
        calendar.next_fiscal_quarter_start as quarter_start,
        next_quarter.next_fiscal_quarter_start as next_quarter_start

    from days
    inner join calendar
        on days.date_day = calendar.date_day
    inner join calendar as next_quarter
        on calendar.next_fiscal_quarter_start = next_quarter.date_day
    inner join first_built_day
        on days.date_day >= first_built_day.first_read_day

),

-- docs/metrics.md "forecast": open amounts at the end of the as-of day of the deals
-- expected to close in the quarter, by forecast category, credited to that day's owner
-- and the team the owner was in that day, at rep, team and company level
-- (int_owner_levels). A deal without an expected close date is in no quarter.
open_deals as (

    select
        daily_snapshot.snapshot_date,
        owner_levels.level,
        owner_levels.entity_id,
        daily_snapshot.forecast_category,
        daily_snapshot.expected_close_date,
        coalesce(daily_snapshot.amount, 0) as amount,
        coalesce(daily_snapshot.weighted_amount, 0) as weighted_amount

    from daily_snapshot
    inner join owner_levels
        on
            {{ owner_on_day('daily_snapshot.owner_id', 'daily_snapshot.snapshot_date') }}
    where daily_snapshot.is_open and daily_snapshot.expected_close_date is not null

),

open_by_entity as (

    select
        forecast_quarters.as_of_date,
        forecast_quarters.quarter_start,
        open_deals.level,
        open_deals.entity_id,
        {% for category in forecast_categories -%}
            sum(
                case
                    when open_deals.forecast_category = '{{ category }}'
                        then open_deals.amount
                    else 0
                end
            ) as {{ category }}_amount,
        {% endfor -%}
        sum(open_deals.weighted_amount) as weighted_amount

    from open_deals
    inner join forecast_quarters
        on
            open_deals.snapshot_date = forecast_quarters.as_of_date
            and open_deals.expected_close_date >= forecast_quarters.quarter_start
            and open_deals.expected_close_date < forecast_quarters.next_quarter_start
    group by 1, 2, 3, 4

),

-- Closed won: bookings of the quarter up to the as-of day, credited to the owner at close
-- and that owner's team on the close date (int_deal_closes).
won_by_entity as (

    select
        forecast_quarters.as_of_date,
        forecast_quarters.quarter_start,
        owner_levels.level,
        owner_levels.entity_id,
        sum(coalesce(deal_closes.amount, 0)) as closed_won_amount

    from deal_closes
    inner join forecast_quarters
        on
            deal_closes.close_date >= forecast_quarters.quarter_start
            and deal_closes.close_date <= forecast_quarters.as_of_date
    inner join owner_levels
        on
            {{ owner_on_day('deal_closes.owner_id', 'deal_closes.close_date') }}
    where deal_closes.is_won
    group by 1, 2, 3, 4

),

forecast_keys as (

    select
        as_of_date,
        quarter_start,
        level,
        entity_id
    from open_by_entity

    union

    select
        as_of_date,
        quarter_start,
        level,
        entity_id
    from won_by_entity

    union

    select
        forecast_quarters.as_of_date,
        forecast_quarters.quarter_start,
        quarter_quotas.level,
        quarter_quotas.entity_id
    from forecast_quarters
    inner join quarter_quotas
        on forecast_quarters.quarter_start = quarter_quotas.quarter_start

    union

    select
        as_of_date,
        quarter_start,
        'company' as level,
        'company' as entity_id
    from forecast_quarters

),

forecast as (

    select
        forecast_keys.as_of_date,
        forecast_quarters.forecast_quarter,
        forecast_keys.quarter_start,
        forecast_keys.level,
        forecast_keys.entity_id,
        coalesce(won_by_entity.closed_won_amount, 0) as closed_won_amount,
        coalesce(open_by_entity.commit_amount, 0) as commit_amount,
        coalesce(open_by_entity.best_case_amount, 0) as best_case_amount,
        coalesce(open_by_entity.pipeline_amount, 0) as pipeline_amount,
        coalesce(open_by_entity.omitted_amount, 0) as omitted_amount,
        coalesce(open_by_entity.weighted_amount, 0) as weighted_amount,
        quarter_quotas.quota,
        quarter_quotas.quota
        - coalesce(won_by_entity.closed_won_amount, 0)
        - coalesce(open_by_entity.commit_amount, 0) as gap_after_commit

    from forecast_keys
    inner join forecast_quarters
        on
            forecast_keys.as_of_date = forecast_quarters.as_of_date
            and forecast_keys.quarter_start = forecast_quarters.quarter_start
    left join open_by_entity
        on
            forecast_keys.as_of_date = open_by_entity.as_of_date
            and forecast_keys.quarter_start = open_by_entity.quarter_start
            and forecast_keys.level = open_by_entity.level
            and forecast_keys.entity_id = open_by_entity.entity_id
    left join won_by_entity
        on
            forecast_keys.as_of_date = won_by_entity.as_of_date
            and forecast_keys.quarter_start = won_by_entity.quarter_start
            and forecast_keys.level = won_by_entity.level
            and forecast_keys.entity_id = won_by_entity.entity_id
    left join quarter_quotas
        on
            forecast_keys.quarter_start = quarter_quotas.quarter_start
            and forecast_keys.level = quarter_quotas.level
            and forecast_keys.entity_id = quarter_quotas.entity_id

),

-- The first day with a day seven days before it in the history.
first_day as (

    select
        cast({{ dbt.dateadd('day', 7, 'min(date_day)') }} as date) as first_full_week_day

    from days

),

-- docs/metrics.md "forecast": each figure minus the same figure of the same quarter seven
-- days earlier (0 where the entity had no row then); null in the history's first week.
final as (

    select
        {{ hash_key(['forecast.as_of_date', 'forecast.quarter_start', 'forecast.level',
            'forecast.entity_id']) }} as forecast_id,
        forecast.as_of_date,
        forecast.forecast_quarter,
        forecast.quarter_start,
        forecast.level,
        forecast.entity_id,
        cast(forecast.closed_won_amount as {{ dbt.type_numeric() }}) as closed_won_amount,
        cast(forecast.commit_amount as {{ dbt.type_numeric() }}) as commit_amount,
        cast(forecast.best_case_amount as {{ dbt.type_numeric() }}) as best_case_amount,
        cast(forecast.pipeline_amount as {{ dbt.type_numeric() }}) as pipeline_amount,
        cast(forecast.omitted_amount as {{ dbt.type_numeric() }}) as omitted_amount,
        cast(forecast.weighted_amount as {{ dbt.type_numeric() }}) as weighted_amount,
        cast(forecast.quota as {{ dbt.type_numeric() }}) as quota,
        cast(forecast.gap_after_commit as {{ dbt.type_numeric() }}) as gap_after_commit,
        {% for figure in weekly_changes -%}
            cast(
                case
                    when forecast.as_of_date >= first_day.first_full_week_day
                        then forecast.{{ figure }} - coalesce(week_before.{{ figure }}, 0)
                end as {{ dbt.type_numeric() }}
            ) as {{ figure | replace('_amount', '') }}_change{% if not loop.last %},{% endif %}
        {% endfor %}

    from forecast
    cross join first_day
    inner join first_built_day
        on forecast.as_of_date >= first_built_day.first_day
    left join forecast as week_before
        on
            forecast.quarter_start = week_before.quarter_start
            and forecast.level = week_before.level
            and forecast.entity_id = week_before.entity_id
            and week_before.as_of_date
            = cast({{ dbt.dateadd('day', -7, 'forecast.as_of_date') }} as date)

)

select * from final
