with

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

accounts as (

    select * from {{ ref('int_source_accounts') }}

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

periods as (

    select * from {{ ref('int_pipeline_periods') }}

),

-- Credited to the owner at close and that owner's team on the close date.
won_and_lost_deals as (

    select
        deal_id,
        account_id,
        deal_name,
        owner_id,
        case when is_won then 'won' else 'lost' end as outcome,
        close_date as outcome_date,
        coalesce(amount, 0) as amount,
        case when is_lost then lost_reason end as lost_reason,
        pipeline,
        deal_type,
        sales_cycle_days

    from deal_closes

),

churned_accounts as (

    select
        account_id,
        owner_id,
        cast(churned_at as date) as churn_date

    from accounts
    where churned_at is not null and not is_deleted

),

-- A churned account's amount is its last year of bookings: closed-won amounts in the 12
-- months up to its last win before the churn. Contracts here renew outside the CRM's
-- deals, so a window ending at the churn itself would miss an annual contract signed
-- exactly a year (or two) before.
churned_accounts_wins as (

    select
        churned_accounts.account_id,
        deal_closes.close_date,
        deal_closes.amount,
        max(deal_closes.close_date) over (partition by churned_accounts.account_id)
            as last_won_date

    from churned_accounts
    inner join deal_closes
        on
            churned_accounts.account_id = deal_closes.account_id
            and deal_closes.is_won
            and churned_accounts.churn_date >= deal_closes.close_date

),

churned_trailing_bookings as (

    select
        account_id,
        sum(amount) as trailing_won_amount

    from churned_accounts_wins
    where cast({{ dbt.dateadd('month', -12, 'last_won_date') }} as date) < close_date
    group by account_id

),

-- Credited to the account's owner (accounts keep no owner history; without one,
-- `unassigned`) and that owner's team on the churn date.
churned_customers as (

    select
        cast(null as {{ dbt.type_string() }}) as deal_id,
        churned_accounts.account_id,
        cast(null as {{ dbt.type_string() }}) as deal_name,
        churned_accounts.owner_id,
        'churned' as outcome,
        churned_accounts.churn_date as outcome_date,
        coalesce(churned_trailing_bookings.trailing_won_amount, 0) as amount,
        cast(null as {{ dbt.type_string() }}) as lost_reason,
        cast(null as {{ dbt.type_string() }}) as pipeline,
        cast(null as {{ dbt.type_string() }}) as deal_type,
        cast(null as {{ dbt.type_int() }}) as sales_cycle_days

    from churned_accounts
    left join churned_trailing_bookings
        on churned_accounts.account_id = churned_trailing_bookings.account_id

),

outcomes as (

    select * from won_and_lost_deals
    union all
    select * from churned_customers

),

outcomes_in_periods as (

    select
        periods.period_type,
        periods.period_start,
        owner_levels.level,
        owner_levels.entity_id,
        owner_levels.team,
        outcomes.*

    from outcomes
    inner join periods
        on
            outcomes.outcome_date >= periods.period_start
            and outcomes.outcome_date <= periods.closing_day
    inner join owner_levels
        on
            {{ owner_on_day("coalesce(outcomes.owner_id, 'unassigned')", 'outcomes.outcome_date') }}

),

-- Largest amount first; ties go to the lower deal_id (account_id for churn).
outcomes_ranked as (

    select
        outcomes_in_periods.*,
        -- bigint on every engine: Spark's row_number() is an int.
        cast(
            row_number() over (
                partition by period_type, period_start, level, entity_id, outcome
                order by amount desc, coalesce(deal_id, account_id) asc
            ) as {{ dbt.type_bigint() }}
        ) as outcome_rank

    from outcomes_in_periods

),

final as (

    select
        {{ hash_key(['outcomes_ranked.period_type', 'outcomes_ranked.period_start',
            'outcomes_ranked.level', 'outcomes_ranked.entity_id', 'outcomes_ranked.outcome',
            'outcomes_ranked.outcome_rank']) }} as deal_outcome_id,
        outcomes_ranked.period_type,
        outcomes_ranked.period_start,
        outcomes_ranked.level,
        outcomes_ranked.entity_id,
        outcomes_ranked.outcome,
        outcomes_ranked.outcome_rank,
        outcomes_ranked.deal_id,
        outcomes_ranked.deal_name,
        outcomes_ranked.account_id,
        accounts.account_name,
        outcomes_ranked.owner_id,
        outcomes_ranked.team,
        outcomes_ranked.outcome_date,
        cast(outcomes_ranked.amount as {{ dbt.type_numeric() }}) as amount,
        outcomes_ranked.lost_reason,
        outcomes_ranked.pipeline,
        outcomes_ranked.deal_type,
        cast(outcomes_ranked.sales_cycle_days as {{ dbt.type_bigint() }}) as sales_cycle_days

    from outcomes_ranked
    left join accounts
        on outcomes_ranked.account_id = accounts.account_id
    where outcomes_ranked.outcome_rank <= 5

)

select * from final
