{#- The windows of int_quota_plan_windows whose bookings the plan reads, each from its
    <window>_start to the column named here (exclusive). -#}
{%- set window_ends = {
    'same_quarter_last_year': 'same_quarter_last_year_end_exclusive',
    'trailing_12_months': 'trailing_12_months_end_exclusive',
    'trailing_4_quarters': 'trailing_4_quarters_end_exclusive',
    'prior_4_quarters': 'trailing_4_quarters_start',
} -%}
{%- set plan_growth_factor = var('plan_growth_factor', none) -%}

with

windows as (

    select * from {{ ref('int_quota_plan_windows') }}

),

seasonality as (

    select * from {{ ref('int_quota_plan_seasonality') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

users as (

    select * from {{ ref('int_source_users') }}

),

currency_rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

won_deals as (

    select
        deal_closes.owner_id,
        deal_closes.close_date,
        coalesce(deal_closes.amount, 0) as amount

    from deal_closes
    inner join windows
        on deal_closes.close_date <= windows.as_of_date
    where deal_closes.is_won

),

-- Each owner's won amounts in each window.
owner_bookings as (

    select
        won_deals.owner_id,
        {% for window, end_day in window_ends.items() -%}
            sum(
                case
                    when
                        won_deals.close_date >= windows.{{ window }}_start
                        and won_deals.close_date < windows.{{ end_day }}
                        then won_deals.amount
                    else 0
                end
            ) as {{ window }}_bookings{% if not loop.last %},{% endif %}
        {% endfor %}

    from won_deals
    cross join windows
    group by won_deals.owner_id

),

company_bookings as (

    select
        coalesce(sum(same_quarter_last_year_bookings), 0) as same_quarter_last_year_bookings,
        coalesce(sum(trailing_4_quarters_bookings), 0) as trailing_4_quarters_bookings,
        coalesce(sum(prior_4_quarters_bookings), 0) as prior_4_quarters_bookings

    from owner_bookings

),

-- docs/metrics.md "company plan": the same quarter a year earlier x growth_factor, which
-- is var plan_growth_factor or else trailing-4-quarter bookings / the 4 before.
company_plan as (

    select
        same_quarter_last_year_bookings,
        trailing_4_quarters_bookings,
        prior_4_quarters_bookings,
        {% if plan_growth_factor is not none -%}
        cast({{ plan_growth_factor }} as {{ type_double() }}) as growth_factor
        {%- else -%}
            case
                when prior_4_quarters_bookings > 0
                    then
                        trailing_4_quarters_bookings
                        / cast(prior_4_quarters_bookings as {{ type_double() }})
            end as growth_factor
        {%- endif %}

    from company_bookings

),

-- The reps the plan is for: active users with role `rep` in the current extract.
plan_reps as (

    select
        users.user_id as owner_id,
        users.full_name,
        users.team,
        cast(users.hired_at as date) as hired_date,
        coalesce(cast(users.hired_at as date) > windows.new_rep_hired_after, false)
            as is_new_rep,
        cast(
            users.ote_amount * currency_rate_periods.rate_to_reporting
            as {{ dbt.type_numeric() }}
        ) as ote_amount

    from users
    cross join windows
    left join currency_rate_periods
        on
            {{ rate_on_day('users.ote_currency', 'windows.as_of_date') }}
    where
        users.role = 'rep'
        and users.is_active

),

rep_bookings as (

    select
        plan_reps.owner_id,
        coalesce(owner_bookings.same_quarter_last_year_bookings, 0) as prior_period_bookings,
        coalesce(owner_bookings.trailing_12_months_bookings, 0) as trailing_12_months_bookings

    from plan_reps
    left join owner_bookings
        on plan_reps.owner_id = owner_bookings.owner_id

),

-- A tenured rep's share of the tenured reps' trailing 12-month bookings.
tenured_rep_shares as (

    select
        plan_reps.owner_id,
        case
            when sum(rep_bookings.trailing_12_months_bookings) over () > 0
                then
                    rep_bookings.trailing_12_months_bookings
                    / cast(
                        sum(rep_bookings.trailing_12_months_bookings) over ()
                        as {{ type_double() }}
                    )
        end as bookings_share

    from plan_reps
    inner join rep_bookings
        on plan_reps.owner_id = rep_bookings.owner_id
    where not plan_reps.is_new_rep

),

median_share as (

    select percentile_cont(0.5) within group (order by bookings_share) as median_bookings_share

    from tenured_rep_shares

),

rep_plans as (

    select
        plan_reps.owner_id,
        plan_reps.full_name,
        plan_reps.team,
        plan_reps.hired_date,
        plan_reps.is_new_rep,
        plan_reps.ote_amount,
        rep_bookings.prior_period_bookings,
        rep_bookings.trailing_12_months_bookings,
        company_plan.same_quarter_last_year_bookings as company_prior_period_bookings,
        company_plan.growth_factor,
        company_plan.same_quarter_last_year_bookings * company_plan.growth_factor
            as company_plan_amount,
        cast(
            case
                when plan_reps.is_new_rep then median_share.median_bookings_share
                else tenured_rep_shares.bookings_share
            end as {{ type_double() }}
        ) as bookings_share

    from plan_reps
    inner join rep_bookings
        on plan_reps.owner_id = rep_bookings.owner_id
    cross join company_plan
    cross join median_share
    left join tenured_rep_shares
        on plan_reps.owner_id = tenured_rep_shares.owner_id

),

rep_quotas as (

    select
        rep_plans.*,
        -- Full precision here; the mart's columns round the results only.
        company_plan_amount * bookings_share * {{ var('quota_overassignment', 1.1) }}
            as suggested_quota

    from rep_plans

),

plan_months as (

    select distinct
        calendar.month_start,
        calendar.calendar_month,
        windows.plan_quarter_start

    from calendar
    inner join windows
        on
            calendar.month_start >= windows.plan_quarter_start
            and calendar.month_start < windows.plan_quarter_end_exclusive

),

plan_months_weighted as (

    select
        plan_months.month_start,
        plan_months.plan_quarter_start,
        seasonality.seasonality_weight,
        case
            when sum(seasonality.seasonality_weight) over () > 0
                then
                    seasonality.seasonality_weight
                    / cast(sum(seasonality.seasonality_weight) over () as {{ type_double() }})
            else 1 / cast(3 as {{ type_double() }})
        end as month_share_of_quarter

    from plan_months
    left join seasonality
        on plan_months.calendar_month = seasonality.calendar_month

),

final as (

    select
        {{ hash_key(['plan_months_weighted.month_start', 'rep_quotas.owner_id']) }}
            as quota_plan_id,
        plan_months_weighted.plan_quarter_start,
        plan_months_weighted.month_start as plan_month_start,
        rep_quotas.owner_id,
        rep_quotas.full_name,
        rep_quotas.team,
        rep_quotas.hired_date,
        rep_quotas.is_new_rep,
        cast(rep_quotas.prior_period_bookings as {{ dbt.type_numeric() }})
            as prior_period_bookings,
        cast(rep_quotas.company_prior_period_bookings as {{ dbt.type_numeric() }})
            as company_prior_period_bookings,
        cast(rep_quotas.growth_factor as {{ dbt.type_numeric() }}) as growth_factor,
        cast(rep_quotas.company_plan_amount as {{ dbt.type_numeric() }}) as company_plan_amount,
        cast(rep_quotas.trailing_12_months_bookings as {{ dbt.type_numeric() }})
            as trailing_12_months_bookings,
        cast(rep_quotas.bookings_share as {{ dbt.type_numeric() }}) as bookings_share,
        cast(plan_months_weighted.seasonality_weight as {{ dbt.type_numeric() }})
            as seasonality_weight,
        cast(plan_months_weighted.month_share_of_quarter as {{ dbt.type_numeric() }})
            as month_share_of_quarter,
        cast(rep_quotas.suggested_quota as {{ dbt.type_numeric() }}) as suggested_quota,
        cast(
            rep_quotas.suggested_quota * plan_months_weighted.month_share_of_quarter
            as {{ dbt.type_numeric() }}
        ) as suggested_monthly_quota,
        rep_quotas.ote_amount,
        case
            when rep_quotas.ote_amount > 0
                then cast(
                    rep_quotas.suggested_quota * 4 / rep_quotas.ote_amount
                    as {{ dbt.type_numeric() }}
                )
        end as ote_multiple,
        case
            when
                rep_quotas.ote_amount > 0
                and rep_quotas.suggested_quota * 4 < 3 * rep_quotas.ote_amount
                then 'below_3x_ote'
            when
                rep_quotas.ote_amount > 0
                and rep_quotas.suggested_quota * 4 > 5 * rep_quotas.ote_amount
                then 'above_5x_ote'
        end as flag

    from rep_quotas
    cross join plan_months_weighted

)

select * from final
