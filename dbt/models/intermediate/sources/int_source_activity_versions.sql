{%- set columns = [
    'activity_id',
    'owner_id',
    'deal_id',
    'account_id',
    'lead_id',
    'activity_type',
    'direction',
    'status',
    'outcome',
    'meeting_type',
    'duration_seconds',
    'scheduled_at',
    'completed_at',
    'updated_at',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__activity_versions') }}

),

salesforce_rows as (

    select * from {{ ref('stg_salesforce__activity_versions') }}

),

-- HubSpot's staging keeps only each engagement's current row; its load time is what the
-- snapshot's watermark needs (an earlier delivery's completion day is not kept).
hubspot_rows as (

    select * from {{ ref('stg_hubspot__activities') }}

),

unioned as (

    select
        'canonical' as source_system,
        {{ columns | join(',\n        ') }}
    from canonical_rows

    union all

    select
        'salesforce' as source_system,
        {{ columns | join(',\n        ') }}
    from salesforce_rows

    union all

    select
        'hubspot' as source_system,
        {{ columns | join(',\n        ') }}
    from hubspot_rows

)

select * from unioned
