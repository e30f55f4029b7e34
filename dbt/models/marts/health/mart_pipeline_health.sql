{#- The figures an entity has over the trailing window of velocity_window_days. -#}
{%- set trailing_window_figures = [
    'deals_closed', 'deals_won', 'closed_amount', 'won_amount', 'won_sales_cycle_days',
    'deals_created', 'pipeline_generated',
] -%}

with

-- The first as-of day this run builds (macros/rebuild_window.sql).
first_built_day as (

    select {{ rebuild_from() }} as first_day

),

daily_snapshot as (

    select snapshot_days.*

    from {{ ref('fct_deal_daily_snapshot') }} as snapshot_days
    inner join first_built_day
        on snapshot_days.snapshot_date >= first_built_day.first_day

),

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

currency_rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

attainment as (

    select * from {{ ref('mart_attainment_by_period') }}

),

users as (

    select * from {{ ref('int_source_users') }}

),

-- Every day up to the as-of date is an as-of day (a daily history BI can trend), with
-- its fiscal quarter and its trailing window [window_start_date, as_of_date].
as_of_days as (

    select
        calendar_days.date_day as as_of_date,
        calendar.fiscal_quarter_start,
        calendar.next_fiscal_quarter_start,
        cast(
            {{ dbt.dateadd('day', 1 - var('velocity_window_days'), 'calendar_days.date_day') }}
            as date
        ) as window_start_date

    from calendar_days
    inner join calendar
        on calendar_days.date_day = calendar.date_day
    inner join first_built_day
        on calendar_days.date_day >= first_built_day.first_day
    where calendar_days.date_day <= {{ as_of_date() }}

),

-- docs/metrics.md "Owner and team at the time": open pipeline goes to the owner on the as-of
-- day and the team that owner was in on that day, at rep, team and company level
-- (int_owner_levels). A null amount counts as 0 and a deal without an expected close
-- date is in no quarter's coverage; both are counted apart.
open_deal_days as (

    select
        as_of_days.as_of_date,
        owner_levels.level,
        owner_levels.entity_id,
        coalesce(daily_snapshot.amount, 0) as amount,
        coalesce(daily_snapshot.weighted_amount, 0) as weighted_amount,
        daily_snapshot.amount is null as is_missing_amount,
        daily_snapshot.expected_close_date is null as is_missing_expected_close_date,
        daily_snapshot.is_stalled,
        daily_snapshot.is_missing_next_step,
        daily_snapshot.expected_close_date >= as_of_days.fiscal_quarter_start
        and daily_snapshot.expected_close_date < as_of_days.next_fiscal_quarter_start
            as is_expected_this_quarter

    from daily_snapshot
    inner join as_of_days
        on daily_snapshot.snapshot_date = as_of_days.as_of_date
    inner join owner_levels
        on
            {{ owner_on_day('daily_snapshot.owner_id', 'daily_snapshot.snapshot_date') }}
    where daily_snapshot.is_open

),

open_pipeline_by_entity as (

    select
        as_of_date,
        level,
        entity_id,
        count(*) as open_deals,
        sum(amount) as open_pipeline,
        sum(weighted_amount) as weighted_pipeline,
        sum(case when is_expected_this_quarter then amount else 0 end)
            as open_pipeline_this_quarter,
        sum(case when is_stalled then 1 else 0 end) as stalled_deals,
        sum(case when is_missing_next_step then 1 else 0 end) as deals_without_next_step,
        sum(case when is_missing_amount then 1 else 0 end) as deals_without_amount,
        sum(case when is_missing_expected_close_date then 1 else 0 end)
            as deals_without_expected_close_date

    from open_deal_days
    group by as_of_date, level, entity_id

),

-- docs/metrics.md "pipeline_generated": the first known amount of a deal, at the rate of its
-- creation day, credited to its first owner and that owner's team on the creation day.
created_deals as (

    select
        deal_versions.deal_id,
        cast(deal_versions.created_at as date) as created_date,
        deal_versions.owner_id,
        coalesce(
            cast(
                deal_versions.amount_original * currency_rate_periods.rate_to_reporting
                as {{ dbt.type_numeric() }}
            ),
            0
        ) as first_amount

    from deal_versions
    left join currency_rate_periods
        on
            {{ rate_on_day('deal_versions.currency', 'cast(deal_versions.created_at as date)') }}
    where deal_versions.version_number = 1

),

-- docs/metrics.md "Deleted": a deal leaves the figures of the as-of days that end with it
-- deleted, from the day of its deletion until a restore. Read from the deleted versions'
-- end-of-day ranges, as the daily snapshot reads them, so a later deletion never changes
-- an earlier day.
deletion_periods as (

    select
        deal_id,
        cast(valid_from as date) as deleted_from,
        cast(valid_to as date) as restored_on

    from deal_versions
    where is_deleted

),

-- The creations in an as-of day's trailing window of deals deleted at the end of that day.
uncounted_creations as (

    select
        as_of_days.as_of_date,
        owner_levels.level,
        owner_levels.entity_id,
        count(*) as uncounted_creations,
        sum(created_deals.first_amount) as uncounted_pipeline_generated

    from created_deals
    inner join deletion_periods
        on created_deals.deal_id = deletion_periods.deal_id
    inner join as_of_days
        on
            deletion_periods.deleted_from <= as_of_days.as_of_date
            and (
                deletion_periods.restored_on is null
                or deletion_periods.restored_on > as_of_days.as_of_date
            )
            and created_deals.created_date >= as_of_days.window_start_date
            and created_deals.created_date <= as_of_days.as_of_date
    inner join owner_levels
        on
            {{ owner_on_day('created_deals.owner_id', 'created_deals.created_date') }}
    group by as_of_days.as_of_date, owner_levels.level, owner_levels.entity_id

),

-- What each deal adds to its owner's figures on a day: a close on its close date (the
-- owner at close, int_deal_closes), its creation on its creation day. A null amount
-- counts as 0.
deal_figures as (

    select
        close_date as figure_date,
        owner_id,
        1 as deals_closed,
        case when is_won then 1 else 0 end as deals_won,
        coalesce(amount, 0) as closed_amount,
        case when is_won then coalesce(amount, 0) else 0 end as won_amount,
        case when is_won then sales_cycle_days else 0 end as won_sales_cycle_days,
        0 as deals_created,
        0 as pipeline_generated

    from deal_closes

    union all

    select
        created_date as figure_date,
        owner_id,
        0 as deals_closed,
        0 as deals_won,
        0 as closed_amount,
        0 as won_amount,
        0 as won_sales_cycle_days,
        1 as deals_created,
        first_amount as pipeline_generated

    from created_deals

),

-- Credited to the owner and the team that owner was in on the day, at rep, team and
-- company level.
figures_by_day as (

    select
        deal_figures.figure_date,
        owner_levels.level,
        owner_levels.entity_id,
        {% for figure in trailing_window_figures -%}
            sum(deal_figures.{{ figure }}) as {{ figure }}{% if not loop.last %},{% endif %}
        {% endfor %}

    from deal_figures
    inner join owner_levels
        on
            {{ owner_on_day('deal_figures.owner_id', 'deal_figures.figure_date') }}
    group by deal_figures.figure_date, owner_levels.level, owner_levels.entity_id

),

-- Each as-of day's figures of its trailing window [window_start_date, as_of_date], and
-- docs/metrics.md "bookings_to_date": won amount from the quarter's start to the as-of day.
window_figures as (

    select
        as_of_days.as_of_date,
        figures_by_day.level,
        figures_by_day.entity_id,
        {% for figure in trailing_window_figures -%}
            sum(
                case
                    when figures_by_day.figure_date >= as_of_days.window_start_date
                        then figures_by_day.{{ figure }}
                    else 0
                end
            ) as {{ figure }},
        {% endfor -%}
        sum(
            case
                when figures_by_day.figure_date >= as_of_days.fiscal_quarter_start
                    then figures_by_day.won_amount
                else 0
            end
        ) as bookings_qtd

    from figures_by_day
    inner join as_of_days
        on
            figures_by_day.figure_date
            >= least(as_of_days.window_start_date, as_of_days.fiscal_quarter_start)
            and figures_by_day.figure_date <= as_of_days.as_of_date
    group by as_of_days.as_of_date, figures_by_day.level, figures_by_day.entity_id

),

-- Less the creations of deals deleted at the end of the as-of day.
figures_to_date as (

    select
        window_figures.as_of_date,
        window_figures.level,
        window_figures.entity_id,
        {% for figure in trailing_window_figures if figure != 'pipeline_generated' -%}
            window_figures.{{ figure }},
        {% endfor -%}
        window_figures.pipeline_generated
        - coalesce(uncounted_creations.uncounted_pipeline_generated, 0) as pipeline_generated,
        window_figures.bookings_qtd,
        window_figures.deals_closed + window_figures.deals_created
        > coalesce(uncounted_creations.uncounted_creations, 0) as has_trailing_window_figures

    from window_figures
    left join uncounted_creations
        on
            window_figures.as_of_date = uncounted_creations.as_of_date
            and window_figures.level = uncounted_creations.level
            and window_figures.entity_id = uncounted_creations.entity_id

),

-- The quarter's quota as mart_attainment_by_period states it, on every day of the quarter.
quarter_quotas as (

    select
        as_of_days.as_of_date,
        attainment.level,
        attainment.entity_id,
        attainment.quota

    from attainment
    inner join as_of_days
        on attainment.period_start = as_of_days.fiscal_quarter_start
    where attainment.period_type = 'quarter'

),

-- An entity has a row on a day when it has open pipeline, closes or created deals (not
-- deleted that day) in the trailing window, or a row in the quarter's attainment; the
-- company has one every day.
entity_days as (

    select
        as_of_date,
        level,
        entity_id
    from open_pipeline_by_entity
    union
    select
        as_of_date,
        level,
        entity_id
    from figures_to_date
    where has_trailing_window_figures
    union
    select
        as_of_date,
        level,
        entity_id
    from quarter_quotas
    union
    select
        as_of_date,
        'company' as level,
        'company' as entity_id
    from as_of_days

),

entity_days_with_figures as (

    select
        entity_days.as_of_date,
        entity_days.level,
        entity_days.entity_id,
        case
            when entity_days.level = 'rep' then coalesce(users.full_name, entity_days.entity_id)
            else entity_days.entity_id
        end as entity_name,
        coalesce(open_pipeline_by_entity.open_deals, 0) as open_deals,
        coalesce(open_pipeline_by_entity.open_pipeline, 0) as open_pipeline,
        coalesce(open_pipeline_by_entity.weighted_pipeline, 0) as weighted_pipeline,
        coalesce(open_pipeline_by_entity.open_pipeline_this_quarter, 0)
            as open_pipeline_this_quarter,
        coalesce(open_pipeline_by_entity.stalled_deals, 0) as stalled_deals,
        coalesce(open_pipeline_by_entity.deals_without_next_step, 0) as deals_without_next_step,
        coalesce(open_pipeline_by_entity.deals_without_amount, 0) as deals_without_amount,
        coalesce(open_pipeline_by_entity.deals_without_expected_close_date, 0)
            as deals_without_expected_close_date,
        quarter_quotas.quota as quarter_quota,
        {% for figure in trailing_window_figures -%}
            coalesce(figures_to_date.{{ figure }}, 0) as {{ figure }},
        {% endfor -%}
        coalesce(figures_to_date.bookings_qtd, 0) as bookings_qtd

    from entity_days
    left join open_pipeline_by_entity
        on
            entity_days.as_of_date = open_pipeline_by_entity.as_of_date
            and entity_days.level = open_pipeline_by_entity.level
            and entity_days.entity_id = open_pipeline_by_entity.entity_id
    left join figures_to_date
        on
            entity_days.as_of_date = figures_to_date.as_of_date
            and entity_days.level = figures_to_date.level
            and entity_days.entity_id = figures_to_date.entity_id
    left join quarter_quotas
        on
            entity_days.as_of_date = quarter_quotas.as_of_date
            and entity_days.level = quarter_quotas.level
            and entity_days.entity_id = quarter_quotas.entity_id
    left join users
        on
            entity_days.level = 'rep'
            and entity_days.entity_id = users.user_id

),

rates as (

    select
        entity_days_with_figures.*,
        quarter_quota - bookings_qtd as remaining_quota,
        case
            when deals_closed > 0
                then cast(
                    cast(deals_won as {{ dbt.type_numeric() }}) / deals_closed
                    as {{ dbt.type_numeric() }}
                )
        end as win_rate,
        case
            when closed_amount <> 0
                then cast(
                    cast(won_amount as {{ dbt.type_numeric() }}) / closed_amount
                    as {{ dbt.type_numeric() }}
                )
        end as win_rate_by_value,
        case
            when deals_won > 0
                then cast(
                    cast(won_amount as {{ dbt.type_numeric() }}) / deals_won
                    as {{ dbt.type_numeric() }}
                )
        end as avg_deal_size,
        case
            when deals_won > 0
                then cast(
                    cast(won_sales_cycle_days as {{ dbt.type_numeric() }}) / deals_won
                    as {{ dbt.type_numeric() }}
                )
        end as avg_sales_cycle_days

    from entity_days_with_figures

),

final as (

    select
        {{ hash_key(['as_of_date', 'level', 'entity_id']) }} as pipeline_health_id,
        as_of_date,
        level,
        entity_id,
        entity_name,
        cast(open_deals as {{ dbt.type_bigint() }}) as open_deals,
        cast(open_pipeline as {{ dbt.type_numeric() }}) as open_pipeline,
        cast(weighted_pipeline as {{ dbt.type_numeric() }}) as weighted_pipeline,
        cast(open_pipeline_this_quarter as {{ dbt.type_numeric() }})
            as open_pipeline_this_quarter,
        cast(quarter_quota as {{ dbt.type_numeric() }}) as quarter_quota,
        cast(bookings_qtd as {{ dbt.type_numeric() }}) as bookings_qtd,
        cast(remaining_quota as {{ dbt.type_numeric() }}) as remaining_quota,
        -- Cast outside the case: PostgreSQL drops a case's numeric precision, and the
        -- incremental build compares the column types with the table's.
        cast(
            case when remaining_quota > 0 then open_pipeline_this_quarter / remaining_quota end
            as {{ dbt.type_numeric() }}
        ) as coverage_ratio,
        cast(pipeline_generated as {{ dbt.type_numeric() }}) as pipeline_generated,
        cast(deals_closed as {{ dbt.type_bigint() }}) as deals_closed,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        -- Cast outside the case: PostgreSQL's case result drops the numeric's precision.
        cast(win_rate as {{ dbt.type_numeric() }}) as win_rate,
        cast(win_rate_by_value as {{ dbt.type_numeric() }}) as win_rate_by_value,
        cast(avg_deal_size as {{ dbt.type_numeric() }}) as avg_deal_size,
        cast(avg_sales_cycle_days as {{ dbt.type_numeric() }}) as avg_sales_cycle_days,
        -- From the published six-place figures, in double precision: every engine then
        -- computes the same number (decimal division goes through double on DuckDB, is
        -- exact on PostgreSQL and drops places on Spark).
        cast(
            case
                when avg_sales_cycle_days > 0
                    then
                        cast(open_deals as {{ type_double() }})
                        * cast(win_rate as {{ type_double() }})
                        * cast(avg_deal_size as {{ type_double() }})
                        / cast(avg_sales_cycle_days as {{ type_double() }})
            end as {{ dbt.type_numeric() }}
        ) as sales_velocity,
        cast(stalled_deals as {{ dbt.type_bigint() }}) as stalled_deals,
        cast(deals_without_next_step as {{ dbt.type_bigint() }}) as deals_without_next_step,
        cast(deals_without_amount as {{ dbt.type_bigint() }}) as deals_without_amount,
        cast(deals_without_expected_close_date as {{ dbt.type_bigint() }})
            as deals_without_expected_close_date

    from rates

)

select * from final
