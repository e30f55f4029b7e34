with

all_periods as (

    select * from {{ ref('int_pipeline_periods') }}

),

-- The periods this run builds: those ending on or after the day it rebuilds from
-- (macros/rebuild_window.sql), every period on a full build.
periods as (

    select all_periods.*

    from all_periods
    where all_periods.period_end >= {{ rebuild_from() }}

),

-- Those periods need each deal's days from the day before the first of them (its
-- opening); the day-to-day comparisons below start there.
first_needed_day as (

    select cast({{ dbt.dateadd('day', -1, 'min(period_start)') }} as date) as first_day

    from periods

),

daily_snapshot as (

    select snapshot_days.*

    from {{ ref('fct_deal_daily_snapshot') }} as snapshot_days
    inner join first_needed_day
        on snapshot_days.snapshot_date >= first_needed_day.first_day

),

owner_levels as (

    select * from {{ ref('int_owner_levels') }}

),

-- docs/metrics.md "Owner and team at the time": each day's state is credited to that day's
-- owner and to the team the owner was in on that day, at rep, team and company level
-- (int_owner_levels). A null amount counts as 0.
deal_days_with_levels as (

    select
        daily_snapshot.snapshot_date,
        daily_snapshot.deal_id,
        owner_levels.level,
        owner_levels.entity_id,
        daily_snapshot.is_open,
        daily_snapshot.is_won,
        coalesce(daily_snapshot.amount, 0) as amount,
        daily_snapshot.expected_close_date

    from daily_snapshot
    inner join owner_levels
        on
            {{ owner_on_day('daily_snapshot.owner_id', 'daily_snapshot.snapshot_date') }}

),

deal_days_with_neighbours as (

    select
        deal_days_with_levels.*,
        lag(snapshot_date) over deal_timeline as previous_snapshot_date,
        lag(is_open) over deal_timeline as previous_is_open,
        lag(amount) over deal_timeline as previous_amount,
        lag(entity_id) over deal_timeline as previous_entity_id,
        lag(expected_close_date) over deal_timeline as previous_expected_close_date,
        lead(snapshot_date) over deal_timeline as next_snapshot_date

    from deal_days_with_levels
    window deal_timeline as (partition by deal_id, level order by snapshot_date)

),

-- A deal "continues" on day d when it was open at the end of day d - 1; otherwise it
-- enters the open pipeline on d (created, reopened or restored after a deletion).
deal_days_by_level as (

    select
        deal_days_with_neighbours.*,
        coalesce(
            previous_is_open
            and previous_snapshot_date
            = cast({{ dbt.dateadd('day', -1, 'snapshot_date') }} as date),
            false
        ) as was_open_day_before,
        coalesce(
            is_open
            and (
                next_snapshot_date is null
                or next_snapshot_date
                <> cast({{ dbt.dateadd('day', 1, 'snapshot_date') }} as date)
            ),
            false
        ) as leaves_without_close

    from deal_days_with_neighbours

),

-- One row per movement leg. Together the legs of a deal-day change each entity's open
-- pipeline by exactly the difference between the two days' end-of-day states, which is
-- what makes opening + created + increased - decreased - won - lost - removed = closing
-- exact.
movements as (

    -- An amount change while open, in reporting currency: a CRM edit, or an FX rate
    -- change (the snapshot converts each day at that day's rate).
    select
        snapshot_date as movement_date,
        level,
        entity_id,
        case when amount > previous_amount then 'increased' else 'decreased' end as movement,
        case
            when amount > previous_amount then amount - previous_amount
            else previous_amount - amount
        end as movement_amount

    from deal_days_by_level
    where
        was_open_day_before
        and entity_id = previous_entity_id
        and amount <> previous_amount

    union all

    -- Handed over to another rep or team: it leaves the old entity as a decrease...
    select
        snapshot_date as movement_date,
        level,
        previous_entity_id as entity_id,
        'decreased' as movement,
        previous_amount as movement_amount

    from deal_days_by_level
    where was_open_day_before and entity_id <> previous_entity_id

    union all

    -- ...and enters the new one as an increase.
    select
        snapshot_date as movement_date,
        level,
        entity_id,
        'increased' as movement,
        amount as movement_amount

    from deal_days_by_level
    where was_open_day_before and entity_id <> previous_entity_id

    union all

    -- Entering the pipeline: first appearance or a reopening counts as created; a deal
    -- that vanished while open (deleted) and came back is restored, an increase.
    select
        snapshot_date as movement_date,
        level,
        entity_id,
        case
            when previous_snapshot_date is null or not previous_is_open then 'created'
            else 'increased'
        end as movement,
        amount as movement_amount

    from deal_days_by_level
    where not was_open_day_before

    union all

    -- Closing: won or lost at the amount at close.
    select
        snapshot_date as movement_date,
        level,
        entity_id,
        case when is_won then 'won' else 'lost' end as movement,
        amount as movement_amount

    from deal_days_by_level
    where not is_open

    union all

    -- Leaving without a close (deleted while open): removed on the first day it is missing.
    select
        cast({{ dbt.dateadd('day', 1, 'snapshot_date') }} as date) as movement_date,
        level,
        entity_id,
        'removed' as movement,
        amount as movement_amount

    from deal_days_by_level
    where leaves_without_close

),

movements_by_period as (

    select
        periods.period_id,
        movements.level,
        movements.entity_id,
        sum(case when movements.movement = 'created' then movements.movement_amount else 0 end)
            as created,
        sum(case when movements.movement = 'increased' then movements.movement_amount else 0 end)
            as increased,
        sum(case when movements.movement = 'decreased' then movements.movement_amount else 0 end)
            as decreased,
        sum(case when movements.movement = 'won' then movements.movement_amount else 0 end)
            as won,
        sum(case when movements.movement = 'lost' then movements.movement_amount else 0 end)
            as lost,
        sum(case when movements.movement = 'removed' then movements.movement_amount else 0 end)
            as removed

    from movements
    inner join periods
        on
            movements.movement_date >= periods.period_start
            and movements.movement_date <= periods.closing_day
    where movements.movement_amount <> 0
    group by periods.period_id, movements.level, movements.entity_id

),

-- The open pipeline on the period's opening day and on its closing day.
opening_and_closing_pipeline as (

    select
        periods.period_id,
        deal_days_by_level.level,
        deal_days_by_level.entity_id,
        sum(
            case
                when deal_days_by_level.snapshot_date = periods.opening_day
                    then deal_days_by_level.amount
            end
        ) as opening,
        sum(
            case
                when deal_days_by_level.snapshot_date = periods.closing_day
                    then deal_days_by_level.amount
            end
        ) as closing

    from deal_days_by_level
    inner join periods
        on
            deal_days_by_level.snapshot_date = periods.opening_day
            or deal_days_by_level.snapshot_date = periods.closing_day
    where deal_days_by_level.is_open
    group by periods.period_id, deal_days_by_level.level, deal_days_by_level.entity_id

),

-- docs/metrics.md "slipped deal": open during the period, its expected_close_date was inside
-- the period and was moved past the period end (on a day of the period, while open).
close_date_slips as (

    select
        periods.period_id,
        deal_days_by_level.level,
        deal_days_by_level.entity_id,
        deal_days_by_level.deal_id,
        deal_days_by_level.amount,
        row_number() over (
            partition by periods.period_id, deal_days_by_level.level, deal_days_by_level.deal_id
            order by deal_days_by_level.snapshot_date desc
        ) as recency_in_period

    from deal_days_by_level
    inner join periods
        on
            deal_days_by_level.snapshot_date >= periods.period_start
            and deal_days_by_level.snapshot_date <= periods.closing_day
    where
        deal_days_by_level.was_open_day_before
        and deal_days_by_level.is_open
        and deal_days_by_level.previous_expected_close_date >= periods.period_start
        and deal_days_by_level.previous_expected_close_date < periods.period_end
        and deal_days_by_level.expected_close_date >= periods.period_end

),

slips_by_period as (

    select
        period_id,
        level,
        entity_id,
        count(*) as slipped_deals,
        sum(amount) as slipped

    from close_date_slips
    where recency_in_period = 1
    group by period_id, level, entity_id

),

waterfall_keys as (

    select
        period_id,
        level,
        entity_id
    from movements_by_period

    union

    select
        period_id,
        level,
        entity_id
    from opening_and_closing_pipeline

    union

    select
        period_id,
        level,
        entity_id
    from slips_by_period

    union

    select
        period_id,
        'company' as level,
        'company' as entity_id
    from periods

),

final as (

    select
        {{ hash_key(['periods.period_type', 'periods.period_start', 'waterfall_keys.level',
            'waterfall_keys.entity_id']) }} as waterfall_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.is_in_progress,
        periods.is_covered_by_extracts,
        waterfall_keys.level,
        waterfall_keys.entity_id,
        cast(coalesce(opening_and_closing_pipeline.opening, 0) as {{ dbt.type_numeric() }})
            as opening,
        cast(coalesce(movements_by_period.created, 0) as {{ dbt.type_numeric() }}) as created,
        cast(coalesce(movements_by_period.increased, 0) as {{ dbt.type_numeric() }})
            as increased,
        cast(coalesce(movements_by_period.decreased, 0) as {{ dbt.type_numeric() }})
            as decreased,
        cast(coalesce(movements_by_period.won, 0) as {{ dbt.type_numeric() }}) as won,
        cast(coalesce(movements_by_period.lost, 0) as {{ dbt.type_numeric() }}) as lost,
        cast(coalesce(movements_by_period.removed, 0) as {{ dbt.type_numeric() }}) as removed,
        cast(coalesce(slips_by_period.slipped, 0) as {{ dbt.type_numeric() }}) as slipped,
        coalesce(slips_by_period.slipped_deals, 0) as slipped_deals,
        cast(coalesce(opening_and_closing_pipeline.closing, 0) as {{ dbt.type_numeric() }})
            as closing

    from waterfall_keys
    inner join periods
        on waterfall_keys.period_id = periods.period_id
    left join movements_by_period
        on
            waterfall_keys.period_id = movements_by_period.period_id
            and waterfall_keys.level = movements_by_period.level
            and waterfall_keys.entity_id = movements_by_period.entity_id
    left join opening_and_closing_pipeline
        on
            waterfall_keys.period_id = opening_and_closing_pipeline.period_id
            and waterfall_keys.level = opening_and_closing_pipeline.level
            and waterfall_keys.entity_id = opening_and_closing_pipeline.entity_id
    left join slips_by_period
        on
            waterfall_keys.period_id = slips_by_period.period_id
            and waterfall_keys.level = slips_by_period.level
            and waterfall_keys.entity_id = slips_by_period.entity_id

)

select * from final
