{#- The days read: those this run builds and the one before, whose state the first of them
    is compared with (macros/rebuild_window.sql; every day on a full build). -#}
{%- set first_read_day = 'cast(' ~ dbt.dateadd('day', -1, rebuild_from()) ~ ' as date)' -%}

with

-- The daily snapshot is read by three imports, each read once: DuckDB copies a CTE that is
-- read twice, and a copy of the whole snapshot took most of this model's time at scale L.
days_read as (

    select * from {{ ref('fct_deal_daily_snapshot') }}
    where snapshot_date >= {{ first_read_day }}

),

earlier_day_keys as (

    select
        deal_id,
        snapshot_date
    from {{ ref('fct_deal_daily_snapshot') }}
    where snapshot_date < {{ first_read_day }}

),

earlier_days as (

    select * from {{ ref('fct_deal_daily_snapshot') }}
    where snapshot_date < {{ first_read_day }}

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

-- The first change day this run builds. A deal missing on that day was removed then,
-- which its row of the day before says.
first_built_day as (

    select {{ rebuild_from() }} as first_day

),

-- The deals whose days read start after the first of them (created, reopened or restored
-- since): each is compared with its last state before, if it has one. A deal with a row
-- on the first day read is compared with that row, and its changes on that day are not
-- built, so no earlier state of it is read.
deals_back_after_a_gap as (

    select deal_id
    from days_read
    group by deal_id
    having min(snapshot_date) > {{ first_read_day }}

),

last_days_before as (

    select
        earlier_day_keys.deal_id,
        max(earlier_day_keys.snapshot_date) as snapshot_date

    from earlier_day_keys
    inner join deals_back_after_a_gap
        on earlier_day_keys.deal_id = deals_back_after_a_gap.deal_id
    group by earlier_day_keys.deal_id

),

daily_snapshot as (

    select * from days_read

    union all

    select earlier_days.*

    from earlier_days
    inner join last_days_before
        on
            earlier_days.deal_id = last_days_before.deal_id
            and earlier_days.snapshot_date = last_days_before.snapshot_date

),

-- Each deal's end-of-day states in order: its open days, then its closing day. The state
-- before is the day before's, or the closing day's before a reopening.
deal_days_with_previous as (

    select
        snapshot_date,
        deal_id,
        deal_version_id,
        deal_name,
        account_id,
        owner_id,
        pipeline,
        stage,
        stage_order,
        forecast_category,
        is_open,
        is_won,
        is_lost,
        currency,
        coalesce(amount_original, 0) as amount_original,
        coalesce(amount, 0) as amount,
        expected_close_date,
        lag(snapshot_date) over deal_timeline as previous_snapshot_date,
        lag(stage) over deal_timeline as previous_stage,
        lag(stage_order) over deal_timeline as previous_stage_order,
        lag(forecast_category) over deal_timeline as previous_forecast_category,
        lag(is_open) over deal_timeline as previous_is_open,
        lag(currency) over deal_timeline as previous_currency,
        lag(coalesce(amount_original, 0)) over deal_timeline as previous_amount_original,
        lag(expected_close_date) over deal_timeline as previous_expected_close_date,
        lead(snapshot_date) over deal_timeline as next_snapshot_date

    from daily_snapshot
    window deal_timeline as (partition by deal_id order by snapshot_date)

),

-- docs/metrics.md "deal change": the amount before is taken at the day's rate too, so
-- that a move of the rate alone is no change of the deal.
deal_days_compared as (

    select
        deal_days_with_previous.*,
        cast(
            deal_days_with_previous.previous_amount_original * previous_rates.rate_to_reporting
            as {{ dbt.type_numeric() }}
        ) as previous_amount,
        coalesce(
            deal_days_with_previous.amount_original
            <> deal_days_with_previous.previous_amount_original
            or deal_days_with_previous.currency <> deal_days_with_previous.previous_currency,
            false
        ) as is_amount_edited,
        coalesce(
            deal_days_with_previous.previous_is_open
            and deal_days_with_previous.previous_snapshot_date
            = cast({{ dbt.dateadd('day', -1, 'deal_days_with_previous.snapshot_date') }} as date),
            false
        ) as was_open_day_before,
        -- Open, and missing the next day although the snapshot runs to the as-of date:
        -- deleted while open (docs/metrics.md "Deleted"), as in mart_pipeline_waterfall.
        coalesce(
            deal_days_with_previous.is_open
            and deal_days_with_previous.snapshot_date < {{ as_of_date() }}
            and (
                deal_days_with_previous.next_snapshot_date is null
                or deal_days_with_previous.next_snapshot_date <> cast(
                    {{ dbt.dateadd('day', 1, 'deal_days_with_previous.snapshot_date') }} as date
                )
            ),
            false
        ) as is_removed_next_day

    from deal_days_with_previous
    left join currency_rate_periods as previous_rates
        on
            {{ rate_on_day(
                'deal_days_with_previous.previous_currency',
                'deal_days_with_previous.snapshot_date',
                'previous_rates'
            ) }}

),

change_kinds as (

    select 'created' as change_kind
    union all
    select 'stage_forward' as change_kind
    union all
    select 'stage_back' as change_kind
    union all
    select 'amount_up' as change_kind
    union all
    select 'amount_down' as change_kind
    union all
    select 'close_date_pushed_out' as change_kind
    union all
    select 'close_date_pulled_in' as change_kind
    union all
    select 'forecast_category_changed' as change_kind
    union all
    select 'won' as change_kind
    union all
    select 'lost' as change_kind
    union all
    select 'reopened' as change_kind
    union all
    select 'removed' as change_kind

),

-- One row per deal-day and kind of change that day's state shows against the state before.
changes as (

    select
        deal_days_compared.*,
        change_kinds.change_kind,
        case
            when change_kinds.change_kind = 'removed'
                then cast({{ dbt.dateadd('day', 1, 'deal_days_compared.snapshot_date') }} as date)
            else deal_days_compared.snapshot_date
        end as change_date

    from deal_days_compared
    inner join change_kinds
        on case change_kinds.change_kind
            when 'created' then deal_days_compared.previous_snapshot_date is null
            when 'stage_forward'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_open
                    and deal_days_compared.stage_order > deal_days_compared.previous_stage_order
            when 'stage_back'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_open
                    and deal_days_compared.stage_order < deal_days_compared.previous_stage_order
            when 'amount_up'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_amount_edited
                    and deal_days_compared.amount > deal_days_compared.previous_amount
            when 'amount_down'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_amount_edited
                    and deal_days_compared.amount < deal_days_compared.previous_amount
            when 'close_date_pushed_out'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_open
                    and deal_days_compared.expected_close_date
                    > deal_days_compared.previous_expected_close_date
            when 'close_date_pulled_in'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_open
                    and deal_days_compared.expected_close_date
                    < deal_days_compared.previous_expected_close_date
            when 'forecast_category_changed'
                then
                    deal_days_compared.was_open_day_before and deal_days_compared.is_open
                    and deal_days_compared.forecast_category
                    <> deal_days_compared.previous_forecast_category
            when 'won' then deal_days_compared.is_won
            when 'lost' then deal_days_compared.is_lost
            when 'reopened'
                then deal_days_compared.is_open and not deal_days_compared.previous_is_open
            when 'removed' then deal_days_compared.is_removed_next_day
        end

),

final as (

    select
        {{ hash_key(['changes.deal_id', 'changes.change_date', 'changes.change_kind']) }}
            as deal_change_id,
        changes.change_date,
        cast({{ dbt.date_trunc('week', 'changes.change_date') }} as date) as change_week_start,
        changes.deal_id,
        changes.deal_name,
        changes.account_id,
        changes.owner_id,
        owner_levels.team,
        changes.pipeline,
        changes.change_kind,
        case
            when
                changes.change_kind
                in ('stage_forward', 'stage_back', 'won', 'lost', 'reopened')
                then changes.previous_stage
        end as from_stage,
        case when changes.change_kind <> 'removed' then changes.stage end as to_stage,
        cast(
            case
                when
                    changes.change_kind in ('amount_up', 'amount_down')
                    then changes.previous_amount
                when changes.change_kind = 'removed' then changes.amount
            end as {{ dbt.type_numeric() }}
        ) as from_amount,
        cast(
            case when changes.change_kind <> 'removed' then changes.amount end
            as {{ dbt.type_numeric() }}
        ) as to_amount,
        cast(
            case
                when changes.change_kind in ('amount_up', 'amount_down')
                    then changes.amount - changes.previous_amount
            end as {{ dbt.type_numeric() }}
        ) as amount_delta,
        case
            when changes.change_kind in ('close_date_pushed_out', 'close_date_pulled_in')
                then changes.previous_expected_close_date
        end as from_close_date,
        case
            when changes.change_kind in ('close_date_pushed_out', 'close_date_pulled_in')
                then changes.expected_close_date
        end as to_close_date,
        case
            when changes.change_kind = 'forecast_category_changed'
                then changes.previous_forecast_category
        end as from_forecast_category,
        case
            when changes.change_kind = 'forecast_category_changed'
                then changes.forecast_category
        end as to_forecast_category,
        case when changes.change_kind = 'lost' then deal_versions.lost_reason end as lost_reason

    from changes
    left join deal_versions
        on changes.deal_version_id = deal_versions.deal_version_id
    inner join first_built_day
        on changes.change_date >= first_built_day.first_day
    left join owner_levels
        on
            {{ owner_on_day('changes.owner_id', 'changes.change_date') }}
            and owner_levels.level = 'team'

)

select * from final
