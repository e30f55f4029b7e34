with

daily_snapshot as (

    select * from {{ ref('fct_deal_daily_snapshot') }}

),

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

activities as (

    select * from {{ ref('int_source_activities') }}

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

accounts as (

    select * from {{ ref('int_source_accounts') }}

),

users as (

    select * from {{ ref('int_source_users') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

-- Open at the end of the as-of day, with the owner of that day.
open_deals as (

    select
        as_of.as_of_date,
        daily_snapshot.*

    from daily_snapshot
    inner join as_of
        on daily_snapshot.snapshot_date = as_of.as_of_date
    where daily_snapshot.is_open

),

last_completed_activities as (

    select
        activities.deal_id,
        max(activities.completed_at) as last_activity_at

    from activities
    inner join as_of
        on cast(activities.completed_at as date) <= as_of.as_of_date
    where activities.status = 'completed' and activities.deal_id is not null
    group by activities.deal_id

),

open_deals_described as (

    select
        open_deals.as_of_date,
        open_deals.deal_id,
        open_deals.deal_name,
        open_deals.account_id,
        accounts.account_name,
        open_deals.owner_id,
        users.full_name as owner_name,
        owner_levels.team,
        owner_levels.level,
        owner_levels.entity_id,
        open_deals.pipeline,
        open_deals.stage,
        open_deals.days_in_stage,
        open_deals.currency,
        open_deals.amount_original,
        open_deals.amount,
        open_deals.probability,
        open_deals.weighted_amount,
        open_deals.expected_close_date,
        open_deals.next_step,
        deal_versions.obstacles,
        deal_versions.champion,
        last_completed_activities.last_activity_at,
        cast(
            {{ dbt.datediff(
                'cast(last_completed_activities.last_activity_at as date)',
                'open_deals.as_of_date',
                'day'
            ) }}
            as {{ dbt.type_bigint() }}
        ) as days_since_activity,
        open_deals.is_stalled

    from open_deals
    left join deal_versions
        on open_deals.deal_version_id = deal_versions.deal_version_id
    left join last_completed_activities
        on open_deals.deal_id = last_completed_activities.deal_id
    left join accounts
        on open_deals.account_id = accounts.account_id
    left join users
        on open_deals.owner_id = users.user_id
    inner join owner_levels
        on
            {{ owner_on_day('open_deals.owner_id', 'open_deals.as_of_date') }}

),

-- Ties on weighted amount go to the larger amount, then to the lower deal_id, so a
-- rerun always lists the same deals in the same order.
deals_ranked as (

    select
        open_deals_described.*,
        -- bigint on every engine: Spark's row_number() is an int.
        cast(
            row_number() over (
                partition by open_deals_described.level, open_deals_described.entity_id
                order by
                    coalesce(open_deals_described.weighted_amount, 0) desc,
                    coalesce(open_deals_described.amount, 0) desc,
                    open_deals_described.deal_id asc
            ) as {{ dbt.type_bigint() }}
        ) as deal_rank

    from open_deals_described

),

final as (

    select
        {{ hash_key(['as_of_date', 'level', 'entity_id', 'deal_rank']) }} as top_deal_id,
        as_of_date,
        level,
        entity_id,
        deal_rank,
        deal_id,
        deal_name,
        account_id,
        account_name,
        owner_id,
        owner_name,
        team,
        pipeline,
        stage,
        days_in_stage,
        currency,
        amount_original,
        amount,
        probability,
        weighted_amount,
        expected_close_date,
        next_step,
        obstacles,
        champion,
        last_activity_at,
        days_since_activity,
        is_stalled

    from deals_ranked
    where deal_rank <= 20

)

select * from final
