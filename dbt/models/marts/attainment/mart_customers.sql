{#- Active customers are counted on two days of each month: its last day, and the last
    day of the month before (the count at its start). -#}
{%- set active_on = {
    'active_customers': 'month_end',
    'active_customers_at_month_start': 'previous_month_end',
} -%}

with

accounts as (

    select * from {{ ref('int_source_accounts') }}

),

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

won_deals as (

    select
        account_id,
        close_date,
        coalesce(amount, 0) as amount

    from deal_closes
    where
        is_won
        and close_date <= {{ as_of_date() }}

),

live_accounts as (

    select
        account_id,
        coalesce(segment, 'unknown') as segment,
        cast(created_at as date) as created_date,
        customer_since,
        cast(churned_at as date) as churned_date

    from accounts
    where not is_deleted

),

won_deal_dates_per_account as (

    select
        live_accounts.account_id,
        min(won_deals.close_date) as first_won_date,
        min(
            case
                when won_deals.close_date < live_accounts.churned_date then won_deals.close_date
            end
        ) as first_won_date_before_churn,
        min(
            case
                when won_deals.close_date > live_accounts.churned_date then won_deals.close_date
            end
        ) as first_won_date_after_churn

    from live_accounts
    inner join won_deals
        on live_accounts.account_id = won_deals.account_id
    group by live_accounts.account_id

),

accounts_with_customer_dates as (

    select
        live_accounts.account_id,
        live_accounts.segment,
        live_accounts.created_date,
        live_accounts.churned_date,
        coalesce(
            live_accounts.customer_since, won_deal_dates_per_account.first_won_date
        ) as customer_since_date,
        won_deal_dates_per_account.first_won_date_before_churn,
        won_deal_dates_per_account.first_won_date_after_churn

    from live_accounts
    left join won_deal_dates_per_account
        on live_accounts.account_id = won_deal_dates_per_account.account_id

),

-- A customer span runs from its start to churned_at (exclusive). The current extract
-- shows an account that churned and came back either as customer_since after
-- churned_at (the CRM restarted it), or as a deal won after churned_at: then there is
-- a first span ending at churned_at (starting at its first won deal, else at the
-- account's creation) and a second one from the return.
first_customer_spans as (

    select
        account_id,
        segment,
        case
            when churned_date is null or customer_since_date <= churned_date
                then customer_since_date
            else coalesce(first_won_date_before_churn, created_date)
        end as span_start,
        churned_date as span_end

    from accounts_with_customer_dates
    where customer_since_date is not null or churned_date is not null

),

returning_customer_spans as (

    select
        account_id,
        segment,
        case
            when customer_since_date > churned_date then customer_since_date
            else first_won_date_after_churn
        end as span_start,
        cast(null as date) as span_end

    from accounts_with_customer_dates
    where
        churned_date is not null
        and (customer_since_date > churned_date or first_won_date_after_churn is not null)

),

customer_spans as (

    select
        account_id,
        segment,
        coalesce(span_start, span_end) as span_start,
        span_end
    from first_customer_spans

    union all

    select
        account_id,
        segment,
        span_start,
        span_end
    from returning_customer_spans

),

-- The month containing the as-of date is measured on the as-of date.
months as (

    select distinct
        month_start,
        next_month_start,
        case
            when next_month_start > {{ as_of_date() }} then {{ as_of_date() }}
            else cast({{ dbt.dateadd('day', -1, 'next_month_start') }} as date)
        end as month_end,
        cast({{ dbt.dateadd('day', -1, 'month_start') }} as date) as previous_month_end,
        cast({{ dbt.dateadd('month', -11, 'month_start') }} as date) as trailing_12_months_start

    from calendar
    where
        month_start <= {{ as_of_date() }}
        and month_start >= (select min(customer_spans.span_start) from customer_spans)

),

-- docs/metrics.md "Customers": each month also has an all-segments row (`all`), since
-- ARPA and growth cannot be added up across segments.
segments as (

    select distinct segment from live_accounts
    union all
    select 'all' as segment

),

month_segments as (

    select
        months.month_start,
        months.next_month_start,
        months.month_end,
        months.previous_month_end,
        months.trailing_12_months_start,
        segments.segment

    from months
    cross join segments

),

-- A customer on day d: span_start <= d < span_end.
customer_counts as (

    select
        month_segments.month_start,
        month_segments.segment,
        sum(
            case
                when
                    customer_spans.span_start
                    between month_segments.month_start and month_segments.month_end
                    then 1
                else 0
            end
        ) as new_customers,
        sum(
            case
                when
                    customer_spans.span_end
                    between month_segments.month_start and month_segments.month_end
                    then 1
                else 0
            end
        ) as churned_customers,
        {% for column, day in active_on.items() -%}
            sum(
                case
                    when
                        customer_spans.span_start <= month_segments.{{ day }}
                        and (
                            customer_spans.span_end is null
                            or customer_spans.span_end > month_segments.{{ day }}
                        )
                        then 1
                    else 0
                end
            ) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}

    from month_segments
    left join customer_spans
        on
            month_segments.segment in (customer_spans.segment, 'all')
            and month_segments.month_end >= customer_spans.span_start
    group by month_segments.month_start, month_segments.segment

),

trailing_bookings as (

    select
        month_segments.month_start,
        month_segments.segment,
        sum(won_deals.amount) as trailing_12_months_bookings

    from month_segments
    inner join live_accounts
        on month_segments.segment in (live_accounts.segment, 'all')
    inner join won_deals
        on
            live_accounts.account_id = won_deals.account_id
            and month_segments.trailing_12_months_start <= won_deals.close_date
            and month_segments.month_end >= won_deals.close_date
    group by month_segments.month_start, month_segments.segment

),

final as (

    select
        {{ hash_key(['month_segments.month_start', 'month_segments.segment']) }}
            as customer_month_id,
        month_segments.month_start,
        month_segments.month_end,
        month_segments.segment,
        cast(customer_counts.new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(customer_counts.churned_customers as {{ dbt.type_bigint() }}) as churned_customers,
        cast(customer_counts.active_customers as {{ dbt.type_bigint() }}) as active_customers,
        cast(customer_counts.active_customers_at_month_start as {{ dbt.type_bigint() }})
            as active_customers_at_month_start,
        cast(
            coalesce(trailing_bookings.trailing_12_months_bookings, 0)
            as {{ dbt.type_numeric() }}
        ) as trailing_12_months_bookings,
        case
            when customer_counts.active_customers > 0
                then cast(
                    coalesce(trailing_bookings.trailing_12_months_bookings, 0)
                    / cast(customer_counts.active_customers as {{ dbt.type_numeric() }})
                    as {{ dbt.type_numeric() }}
                )
        end as arpa,
        case
            when customer_counts.active_customers_at_month_start > 0
                then cast(
                    (
                        customer_counts.active_customers
                        - customer_counts.active_customers_at_month_start
                    )
                    / cast(
                        customer_counts.active_customers_at_month_start
                        as {{ dbt.type_numeric() }}
                    )
                    as {{ dbt.type_numeric() }}
                )
        end as customer_growth_rate

    from month_segments
    inner join customer_counts
        on
            month_segments.month_start = customer_counts.month_start
            and month_segments.segment = customer_counts.segment
    left join trailing_bookings
        on
            month_segments.month_start = trailing_bookings.month_start
            and month_segments.segment = trailing_bookings.segment

)

select * from final
