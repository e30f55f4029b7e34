with

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

deal_field_history as (

    select * from {{ ref('int_source_deal_field_history') }}

),

as_of_bounds as (

    select {{ dbt.dateadd('day', 1, as_of_date()) }} as as_of_end

),

-- Every stage change the CRM logged, at the second it happened.
history_stage_changes as (

    select
        deal_field_history.deal_id,
        deal_field_history.new_value as stage,
        deal_field_history.changed_at as observed_at,
        1 as source_precedence,
        'field_history' as observation_source

    from deal_field_history
    cross join as_of_bounds
    where
        deal_field_history.field = 'stage'
        and deal_field_history.new_value is not null
        and deal_field_history.changed_at < as_of_bounds.as_of_end

),

-- A history that does not log the creation (its first change has an old_value)
-- still tells the stage the deal was created in.
first_history_changes as (

    select
        deal_id,
        old_value,
        changed_at,
        row_number() over (
            partition by deal_id
            order by changed_at, new_value
        ) as change_number

    from deal_field_history
    where field = 'stage' and new_value is not null

),

deal_creations as (

    select
        deal_id,
        min(created_at) as created_at

    from deal_versions
    group by deal_id

),

history_creation_stages as (

    select
        first_history_changes.deal_id,
        first_history_changes.old_value as stage,
        deal_creations.created_at as observed_at,
        0 as source_precedence,
        'field_history' as observation_source

    from first_history_changes
    inner join deal_creations
        on first_history_changes.deal_id = deal_creations.deal_id
    cross join as_of_bounds
    where
        first_history_changes.change_number = 1
        and first_history_changes.old_value is not null
        and deal_creations.created_at < first_history_changes.changed_at
        and deal_creations.created_at < as_of_bounds.as_of_end

),

-- The stage each extracted version shows, as of the version's updated_at: at most one
-- state per extract, but the only source when a CRM exports no field history.
version_stage_states as (

    select
        deal_versions.deal_id,
        deal_versions.stage,
        deal_versions.valid_from as observed_at,
        2 as source_precedence,
        'deal_version' as observation_source

    from deal_versions
    cross join as_of_bounds
    where deal_versions.valid_from < as_of_bounds.as_of_end

),

stage_observations as (

    select * from history_creation_stages
    union all
    select * from history_stage_changes
    union all
    select * from version_stage_states

),

-- On one timeline per deal, a stage is entered where an observation shows a stage
-- other than the one before it; repeated sightings of the same stage add nothing, so
-- a version that confirms a logged change keeps the change's (earlier, exact) time.
observations_ordered as (

    select
        stage_observations.*,
        lag(stage) over (
            partition by deal_id
            order by observed_at, source_precedence, stage
        ) as previously_observed_stage

    from stage_observations

),

stage_entries as (

    select
        deal_id,
        stage,
        observed_at as entered_at,
        source_precedence,
        observation_source as entry_source

    from observations_ordered
    where previously_observed_stage is null or previously_observed_stage <> stage

),

entries_numbered as (

    select
        stage_entries.*,
        -- bigint on every engine: Spark's row_number() is an int.
        cast(
            row_number() over (
                partition by deal_id
                order by entered_at, source_precedence, stage
            ) as {{ dbt.type_bigint() }}
        ) as stage_entry_number

    from stage_entries

),

entries_linked as (

    select
        deal_id,
        stage_entry_number,
        lag(stage) over (partition by deal_id order by stage_entry_number) as from_stage,
        stage as to_stage,
        entered_at,
        lead(entered_at) over (partition by deal_id order by stage_entry_number) as exited_at,
        entry_source

    from entries_numbered

),

final as (

    select
        {{ hash_key(['deal_id', 'stage_entry_number']) }} as deal_stage_entry_id,
        deal_id,
        stage_entry_number,
        from_stage,
        to_stage,
        entered_at,
        exited_at,
        exited_at is null as is_latest_entry,
        entry_source

    from entries_linked

)

select * from final
