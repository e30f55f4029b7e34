with

extracted_versions as (

    select * from {{ ref('int_source_deal_versions') }}

),

rebuilt_versions as (

    select * from {{ ref('int_deal_versions_rebuilt_from_history') }}

),

-- Days before a deal's first extract come from its field history.
deal_versions as (

    select * from extracted_versions
    union all
    select * from rebuilt_versions

),

-- On an incremental run, only the deals whose versions can have changed.
deal_versions_to_build as (

    select *

    from deal_versions
    {{ where_deal_changed('deal_versions', 'updated_at') }}

),

pipeline_stages as (

    select * from {{ ref('pipeline_stages') }}

),

-- Every deal's probability, built by this run or not: the scale is the whole pipeline's.
pipeline_probabilities as (

    select
        pipeline,
        probability
    from extracted_versions

    union all

    select
        pipeline,
        probability
    from rebuilt_versions

),

-- docs/metrics.md "Probability": the scale is decided per pipeline from all its deals'
-- values, so a lone `1` on a 0-100 pipeline reads as 1%, not 100%.
pipeline_probability_scales as (

    select
        pipeline,
        case when max(probability) > 1 then 100 else 1 end as probability_scale

    from pipeline_probabilities
    group by pipeline

),

versions_ordered as (

    select
        deal_versions_to_build.*,
        -- bigint on every engine: Spark's row_number() is an int.
        cast(
            row_number() over (
                partition by deal_versions_to_build.deal_id
                order by deal_versions_to_build.updated_at, deal_versions_to_build.extract_date
            ) as {{ dbt.type_bigint() }}
        ) as version_number,
        lead(deal_versions_to_build.updated_at) over (
            partition by deal_versions_to_build.deal_id
            order by deal_versions_to_build.updated_at, deal_versions_to_build.extract_date
        ) as next_version_at,
        lag(deal_versions_to_build.stage) over (
            partition by deal_versions_to_build.deal_id
            order by deal_versions_to_build.updated_at, deal_versions_to_build.extract_date
        ) as previous_stage

    from deal_versions_to_build

),

-- Gaps and islands: a new island starts whenever the stage differs from the previous
-- version's, so a deal that returns to an earlier stage enters it again.
stage_islands as (

    select
        versions_ordered.*,
        sum(
            case
                when previous_stage is null or previous_stage <> stage then 1 else 0
            end
        ) over (
            partition by deal_id
            order by version_number
            rows between unbounded preceding and current row
        ) as stage_island

    from versions_ordered

),

stage_entries as (

    select
        stage_islands.*,
        min(updated_at) over (partition by deal_id, stage_island) as stage_entered_at

    from stage_islands

),

versions_with_stage_flags as (

    select
        stage_entries.deal_version_id,
        stage_entries.deal_id,
        stage_entries.version_number,
        stage_entries.account_id,
        -- A deal no rep owns belongs to the entity `unassigned` at rep level (and, having
        -- no team, at team level too), so rep + team + company still add up.
        coalesce(stage_entries.owner_id, 'unassigned') as owner_id,
        stage_entries.deal_name,
        stage_entries.pipeline,
        stage_entries.deal_type,
        stage_entries.stage,
        pipeline_stages.stage_order,
        -- docs/metrics.md "forecast category": an open deal's own category where the CRM
        -- sets one, else its stage's; a closed deal's is its stage's (closed, omitted).
        case
            when
                not pipeline_stages.is_closed
                and stage_entries.forecast_category in (
                    'omitted', 'pipeline', 'best_case', 'commit'
                )
                then stage_entries.forecast_category
            else pipeline_stages.forecast_category
        end as forecast_category,
        coalesce(not pipeline_stages.is_closed, false) as is_open,
        coalesce(pipeline_stages.is_won, false) as is_won,
        coalesce(pipeline_stages.is_closed and not pipeline_stages.is_won, false) as is_lost,
        stage_entries.is_deleted,
        stage_entries.currency,
        stage_entries.amount as amount_original,
        cast(
            coalesce(
                stage_entries.probability / pipeline_probability_scales.probability_scale,
                pipeline_stages.default_probability
            ) as {{ dbt.type_numeric() }}
        ) as probability,
        stage_entries.expected_close_date,
        stage_entries.lost_reason,
        stage_entries.next_step,
        stage_entries.obstacles,
        stage_entries.champion,
        stage_entries.lead_source,
        stage_entries.created_at,
        stage_entries.closed_at,
        stage_entries.stage_entered_at,
        stage_entries.updated_at as valid_from,
        stage_entries.next_version_at as valid_to,
        stage_entries.next_version_at is null as is_current,
        stage_entries.extract_date,
        stage_entries.source_file,
        stage_entries.source_row,
        stage_entries.loaded_at

    from stage_entries
    left join pipeline_stages
        on
            stage_entries.pipeline = pipeline_stages.pipeline
            and stage_entries.stage = pipeline_stages.stage
    left join pipeline_probability_scales
        on stage_entries.pipeline = pipeline_probability_scales.pipeline

),

-- docs/metrics.md "Close date": closed_at, else when it entered its closed stage.
versions_with_close_date as (

    select
        versions_with_stage_flags.*,
        case
            when not is_open
                then cast(coalesce(closed_at, stage_entered_at, valid_from) as date)
        end as close_date

    from versions_with_stage_flags

)

select * from versions_with_close_date
