with

stage_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

pipeline_stages as (

    select * from {{ ref('pipeline_stages') }}

),

currency_rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

as_of_bounds as (

    select {{ dbt.dateadd('day', 1, as_of_date()) }} as as_of_end

),

-- The deal as the last version written by the end of the as-of day shows it: its
-- pipeline orders the stages; a deal deleted by then leaves the mart.
versions_known_as_of as (

    select
        deal_versions.*,
        row_number() over (
            partition by deal_versions.deal_id
            order by deal_versions.version_number desc
        ) as recency_rank

    from deal_versions
    cross join as_of_bounds
    where deal_versions.valid_from < as_of_bounds.as_of_end

),

deals_as_of as (

    select
        deal_id,
        account_id,
        pipeline,
        deal_type,
        lead_source,
        created_at

    from versions_known_as_of
    where recency_rank = 1 and not is_deleted

),

-- Owner and amount when the stage was entered: the version in force then, or the
-- first known version for entries logged before the first extract.
entry_context_versions as (

    select
        stage_entries.deal_id,
        stage_entries.stage_entry_number,
        coalesce(max(deal_versions.version_number), 1) as context_version_number

    from stage_entries
    left join deal_versions
        on
            stage_entries.deal_id = deal_versions.deal_id
            and stage_entries.entered_at >= deal_versions.valid_from
    group by stage_entries.deal_id, stage_entries.stage_entry_number

),

entries_with_context as (

    select
        stage_entries.*,
        deals_as_of.account_id,
        deals_as_of.pipeline,
        deals_as_of.deal_type,
        deals_as_of.lead_source,
        deals_as_of.created_at,
        context_versions.owner_id,
        context_versions.currency,
        context_versions.amount_original

    from stage_entries
    inner join deals_as_of
        on stage_entries.deal_id = deals_as_of.deal_id
    inner join entry_context_versions
        on
            stage_entries.deal_id = entry_context_versions.deal_id
            and stage_entries.stage_entry_number = entry_context_versions.stage_entry_number
    inner join deal_versions as context_versions
        on
            entry_context_versions.deal_id = context_versions.deal_id
            and entry_context_versions.context_version_number
            = context_versions.version_number

),

entries_with_stage_flags as (

    select
        entries_with_context.*,
        from_stages.stage_order as from_stage_order,
        coalesce(from_stages.is_closed, false) as is_from_closed_stage,
        to_stages.stage_order as to_stage_order,
        coalesce(not to_stages.is_closed, false) as is_open_stage,
        coalesce(to_stages.is_won, false) as is_won,
        coalesce(to_stages.is_closed and not to_stages.is_won, false) as is_lost

    from entries_with_context
    left join pipeline_stages as from_stages
        on
            entries_with_context.pipeline = from_stages.pipeline
            and entries_with_context.from_stage = from_stages.stage
    left join pipeline_stages as to_stages
        on
            entries_with_context.pipeline = to_stages.pipeline
            and entries_with_context.to_stage = to_stages.stage

),

-- Open stages jumped over by a move forward from an open stage (to a later open stage
-- or to won). Losing skips nothing: a lost deal reached only the stages it was in.
skipped_stage_counts as (

    select
        entries_with_stage_flags.deal_id,
        entries_with_stage_flags.stage_entry_number,
        count(pipeline_stages.stage) as stages_skipped

    from entries_with_stage_flags
    left join pipeline_stages
        on
            entries_with_stage_flags.pipeline = pipeline_stages.pipeline
            and not pipeline_stages.is_closed
            and entries_with_stage_flags.from_stage_order < pipeline_stages.stage_order
            and entries_with_stage_flags.to_stage_order > pipeline_stages.stage_order
            and not entries_with_stage_flags.is_from_closed_stage
            and not entries_with_stage_flags.is_lost
    group by entries_with_stage_flags.deal_id, entries_with_stage_flags.stage_entry_number

),

entries_classified as (

    select
        entries_with_stage_flags.*,
        skipped_stage_counts.stages_skipped,
        case
            when entries_with_stage_flags.from_stage is null then 'created'
            when entries_with_stage_flags.is_won then 'won'
            when entries_with_stage_flags.is_lost then 'lost'
            when entries_with_stage_flags.is_from_closed_stage then 'reopened'
            when
                entries_with_stage_flags.to_stage_order
                < entries_with_stage_flags.from_stage_order
                then 'regressed'
            when skipped_stage_counts.stages_skipped > 0 then 'skipped_ahead'
            else 'advanced'
        end as transition_type

    from entries_with_stage_flags
    inner join skipped_stage_counts
        on
            entries_with_stage_flags.deal_id = skipped_stage_counts.deal_id
            and entries_with_stage_flags.stage_entry_number
            = skipped_stage_counts.stage_entry_number

),

entries_in_reporting_currency as (

    select
        entries_classified.*,
        cast(
            entries_classified.amount_original * currency_rate_periods.rate_to_reporting
            as {{ dbt.type_numeric() }}
        ) as amount

    from entries_classified
    left join currency_rate_periods
        on
            {{ rate_on_day(
                'entries_classified.currency',
                'cast(entries_classified.entered_at as date)'
            ) }}

),

final as (

    select
        {{ hash_key(['deal_id', 'stage_entry_number']) }} as stage_transition_id,
        deal_id,
        stage_entry_number,
        account_id,
        owner_id,
        pipeline,
        deal_type,
        lead_source,
        from_stage,
        from_stage_order,
        to_stage,
        to_stage_order,
        transition_type,
        stages_skipped,
        is_open_stage,
        is_won,
        is_lost,
        is_latest_entry as is_current_stage,
        currency,
        amount_original,
        amount,
        cast(created_at as date) as created_date,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
        entered_at,
        exited_at,
        cast(
            cast(
                {{ dbt.datediff('entered_at', 'exited_at', 'second') }}
                as {{ dbt.type_numeric() }}
            ) / 86400
            as {{ dbt.type_numeric() }}
        ) as days_in_stage,
        entry_source

    from entries_in_reporting_currency

)

select * from final
