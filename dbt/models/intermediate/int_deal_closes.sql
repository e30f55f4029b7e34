with

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

currency_rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

current_versions as (

    select * from deal_versions
    where is_current

),

-- The version that moved the deal into its final closed stage: its owner is the owner
-- at close (a rep who leaves later keeps the credit).
closing_versions as (

    select
        deal_id,
        owner_id as owner_id_at_close,
        row_number() over (partition by deal_id order by version_number) as closing_rank

    from deal_versions
    where
        not is_open
        and stage_entered_at = valid_from

),

last_closing_versions as (

    select
        deal_id,
        owner_id_at_close,
        row_number() over (partition by deal_id order by closing_rank desc) as recency

    from closing_versions

),

closed_deals as (

    select
        current_versions.deal_id,
        current_versions.deal_name,
        current_versions.account_id,
        current_versions.pipeline,
        current_versions.deal_type,
        current_versions.stage,
        current_versions.is_won,
        current_versions.is_lost,
        current_versions.lost_reason,
        current_versions.lead_source,
        current_versions.currency,
        current_versions.amount_original,
        cast(current_versions.created_at as date) as created_date,
        current_versions.close_date,
        coalesce(
            last_closing_versions.owner_id_at_close, current_versions.owner_id
        ) as owner_id

    from current_versions
    left join last_closing_versions
        on
            current_versions.deal_id = last_closing_versions.deal_id
            and last_closing_versions.recency = 1
    where
        not current_versions.is_open
        and not current_versions.is_deleted

),

closes_with_team_and_rate as (

    select
        closed_deals.*,
        owner_levels.team,
        cast(
            closed_deals.amount_original * currency_rate_periods.rate_to_reporting
            as {{ dbt.type_numeric() }}
        ) as amount,
        {{ dbt.datediff('closed_deals.created_date', 'closed_deals.close_date', 'day') }}
            as sales_cycle_days

    from closed_deals
    left join owner_levels
        on
            {{ owner_on_day('closed_deals.owner_id', 'closed_deals.close_date') }}
            and owner_levels.level = 'team'
    left join currency_rate_periods
        on
            {{ rate_on_day('closed_deals.currency', 'closed_deals.close_date') }}

)

select * from closes_with_team_and_rate
