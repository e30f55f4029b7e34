with

deal_versions as (

    select * from {{ ref('int_source_deal_versions') }}

),

field_history as (

    select * from {{ ref('int_source_deal_field_history') }}

),

-- The first version an extract holds of each deal: the state history is rebuilt back from.
extracted_versions_ranked as (

    select
        deal_versions.*,
        row_number() over (
            partition by deal_versions.deal_id
            order by deal_versions.updated_at, deal_versions.extract_date
        ) as version_number

    from deal_versions

),

first_extracted_versions as (

    select *

    from extracted_versions_ranked
    where version_number = 1

),

-- Only changes from before the first extracted version rebuild anything: from it on,
-- the extracts are the source of truth.
changes_before_first_extract as (

    select
        field_history.deal_field_change_id,
        field_history.deal_id,
        field_history.field,
        field_history.old_value,
        field_history.new_value,
        field_history.changed_at,
        field_history.loaded_at

    from field_history
    inner join first_extracted_versions
        on
            field_history.deal_id = first_extracted_versions.deal_id
            and field_history.changed_at < first_extracted_versions.updated_at
    where
        field_history.field in (
            'stage', 'amount', 'probability', 'expected_close_date', 'owner_id', 'currency'
        )

),

-- A rebuilt version starts at every change and at the deal's creation. Only deals with
-- history before their first extract are rebuilt (the join to deal_history_loads):
-- without it, nothing says when the deal entered its stage.
version_starts as (

    select distinct
        deal_id,
        changed_at as rebuilt_at

    from changes_before_first_extract

    union

    select
        deal_id,
        created_at as rebuilt_at

    from first_extracted_versions
    where created_at < updated_at

),

-- Each field at each start: the latest change at or before it (its new value), else
-- the first change after it (its old value, the value the field held until then).
field_changes_around_starts as (

    select
        version_starts.deal_id,
        version_starts.rebuilt_at,
        changes_before_first_extract.field,
        case
            when changes_before_first_extract.changed_at <= version_starts.rebuilt_at
                then changes_before_first_extract.new_value
            else changes_before_first_extract.old_value
        end as field_value,
        row_number() over (
            partition by
                version_starts.deal_id,
                version_starts.rebuilt_at,
                changes_before_first_extract.field
            order by
                case
                    when changes_before_first_extract.changed_at <= version_starts.rebuilt_at
                        then 0
                    else 1
                end asc,
                case
                    when changes_before_first_extract.changed_at <= version_starts.rebuilt_at
                        then changes_before_first_extract.changed_at
                end desc,
                changes_before_first_extract.changed_at asc,
                changes_before_first_extract.deal_field_change_id asc
        ) as closeness

    from version_starts
    inner join changes_before_first_extract
        on version_starts.deal_id = changes_before_first_extract.deal_id

),

fields_at_starts as (

    select
        deal_id,
        rebuilt_at,
        max(case when field = 'stage' then field_value end) as stage,
        max(case when field = 'amount' then field_value end) as amount,
        max(case when field = 'probability' then field_value end) as probability,
        max(case when field = 'expected_close_date' then field_value end)
            as expected_close_date,
        max(case when field = 'owner_id' then field_value end) as owner_id,
        max(case when field = 'currency' then field_value end) as currency

    from field_changes_around_starts
    where closeness = 1
    group by deal_id, rebuilt_at

),

-- A rebuilt version is loaded when the last change it rests on, or the extracted
-- version it falls back to, was: a late change rebuilds the deal's earlier days.
deal_history_loads as (

    select
        deal_id,
        max(loaded_at) as loaded_at

    from changes_before_first_extract
    group by deal_id

),

-- Fields without history (and tracked fields whose history leaves them empty) take
-- the first extracted version's value.
rebuilt_versions as (

    select
        first_extracted_versions.source_system,
        {{ hash_key(['fields_at_starts.deal_id', 'fields_at_starts.rebuilt_at']) }}
            as deal_version_id,
        fields_at_starts.deal_id,
        first_extracted_versions.account_id,
        coalesce(fields_at_starts.owner_id, first_extracted_versions.owner_id) as owner_id,
        first_extracted_versions.deal_name,
        first_extracted_versions.pipeline,
        first_extracted_versions.deal_type,
        coalesce(fields_at_starts.stage, first_extracted_versions.stage) as stage,
        -- Field history does not track the deal's own forecast category: a version in the
        -- first extracted version's stage keeps its category (else the first extract would
        -- show a change nobody made); in another stage, the stage's applies.
        case
            when
                coalesce(fields_at_starts.stage, first_extracted_versions.stage)
                = first_extracted_versions.stage
                then first_extracted_versions.forecast_category
        end as forecast_category,
        coalesce(fields_at_starts.currency, first_extracted_versions.currency) as currency,
        first_extracted_versions.lost_reason,
        first_extracted_versions.next_step,
        first_extracted_versions.obstacles,
        first_extracted_versions.champion,
        first_extracted_versions.lead_source,
        coalesce(
            {{ to_numeric('fields_at_starts.amount') }}, first_extracted_versions.amount
        ) as amount,
        coalesce(
            {{ to_numeric('fields_at_starts.probability') }},
            first_extracted_versions.probability
        ) as probability,
        -- Deleted rows leave the marts from the extract that deleted them (docs/metrics.md).
        false as is_deleted,
        coalesce(
            {{ to_date('fields_at_starts.expected_close_date') }},
            first_extracted_versions.expected_close_date
        ) as expected_close_date,
        first_extracted_versions.created_at,
        first_extracted_versions.closed_at,
        fields_at_starts.rebuilt_at as updated_at,
        first_extracted_versions.extract_date,
        first_extracted_versions.source_file,
        first_extracted_versions.source_row,
        case
            when deal_history_loads.loaded_at > first_extracted_versions.loaded_at
                then deal_history_loads.loaded_at
            else first_extracted_versions.loaded_at
        end as loaded_at

    from fields_at_starts
    inner join first_extracted_versions
        on fields_at_starts.deal_id = first_extracted_versions.deal_id
    inner join deal_history_loads
        on fields_at_starts.deal_id = deal_history_loads.deal_id

)

select * from rebuilt_versions
