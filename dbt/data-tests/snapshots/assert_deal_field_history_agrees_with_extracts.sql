-- Where deal_field_history and the extracts both cover a moment, they must agree: for
-- every deal version, extracted or rebuilt from history for the days before the deal's
-- first extract (int_deal_versions_rebuilt_from_history), each tracked field's latest
-- change at or before the version's updated_at must hold the version's value. One row
-- per disagreeing field of a version.
-- Warn, not error: real CRM exports routinely disagree here (Salesforce and HubSpot track
-- history only for the fields chosen for it and drop it after 18-24 months; imports and
-- integrations can write a field without a history row; a history row can be stamped a
-- few seconds after the record's updated_at). The extracts stay the source of truth for
-- the days they cover, so the marts are right either way; the warning says which deals'
-- history, and so the days before their first extract, cannot be trusted.
-- Only the deals with a version or a change loaded since the last publish are compared:
-- a deal's comparison reads nothing but its own versions and changes, and every other
-- deal was compared by the run that published, whose summary carried its warning
-- (macros/rows_since_last_publish.sql). A full refresh of a warehouse that never
-- published compares every deal.
{{ config(severity='warn') }}

with

extracted_versions as (

    select * from {{ ref('int_source_deal_versions') }}

),

rebuilt_versions as (

    select * from {{ ref('int_deal_versions_rebuilt_from_history') }}

),

all_deal_versions as (

    select * from extracted_versions
    union all
    select * from rebuilt_versions

),

all_field_history as (

    select * from {{ ref('int_source_deal_field_history') }}

),

deals_loaded_since_last_publish as (

    select deal_id
    from all_deal_versions
    where loaded_at > {{ last_published_at() }}

    union

    select deal_id
    from all_field_history
    where loaded_at > {{ last_published_at() }}

),

deal_versions as (

    select all_deal_versions.*

    from all_deal_versions
    inner join deals_loaded_since_last_publish
        on all_deal_versions.deal_id = deals_loaded_since_last_publish.deal_id

),

field_history as (

    select all_field_history.*

    from all_field_history
    inner join deals_loaded_since_last_publish
        on all_field_history.deal_id = deals_loaded_since_last_publish.deal_id

),

history_at_versions as (

    select
        deal_versions.deal_version_id,
        deal_versions.deal_id,
        deal_versions.updated_at,
        field_history.field,
        field_history.new_value,
        row_number() over (
            partition by deal_versions.deal_version_id, field_history.field
            order by field_history.changed_at desc, field_history.extract_date desc
        ) as recency

    from deal_versions
    inner join field_history
        on
            deal_versions.deal_id = field_history.deal_id
            and deal_versions.updated_at >= field_history.changed_at

),

compared as (

    select
        history_at_versions.deal_id,
        history_at_versions.updated_at as version_updated_at,
        history_at_versions.field,
        history_at_versions.new_value as history_value,
        case history_at_versions.field
            when 'stage' then deal_versions.stage
            when 'amount' then cast(deal_versions.amount as {{ dbt.type_string() }})
            when 'probability' then cast(deal_versions.probability as {{ dbt.type_string() }})
            when 'expected_close_date'
                then cast(deal_versions.expected_close_date as {{ dbt.type_string() }})
            when 'owner_id' then deal_versions.owner_id
            when 'currency' then deal_versions.currency
        end as extract_value,
        case history_at_versions.field
            when 'amount'
                then {{ to_numeric('history_at_versions.new_value') }} = deal_versions.amount
            when 'probability'
                then
                    {{ to_numeric('history_at_versions.new_value') }}
                    = deal_versions.probability
            when 'expected_close_date'
                then
                    {{ to_date('history_at_versions.new_value') }}
                    = deal_versions.expected_close_date
            when 'stage' then history_at_versions.new_value = deal_versions.stage
            when 'owner_id' then history_at_versions.new_value = deal_versions.owner_id
            when 'currency' then history_at_versions.new_value = deal_versions.currency
        end as values_agree

    from history_at_versions
    inner join deal_versions
        on history_at_versions.deal_version_id = deal_versions.deal_version_id
    where history_at_versions.recency = 1

)

select
    deal_id,
    version_updated_at,
    field,
    history_value,
    extract_value

from compared
-- A field cleared on one side and set on the other disagrees too; unknown fields are
-- not compared.
where
    not coalesce(values_agree, history_value is null and extract_value is null)
    and field in ('stage', 'amount', 'probability', 'expected_close_date', 'owner_id', 'currency')
