{%- set columns = [
    'deal_version_id',
    'deal_id',
    'account_id',
    'owner_id',
    'deal_name',
    'pipeline',
    'deal_type',
    'stage',
    'forecast_category',
    'currency',
    'lost_reason',
    'next_step',
    'obstacles',
    'champion',
    'lead_source',
    'amount',
    'probability',
    'is_deleted',
    'expected_close_date',
    'created_at',
    'closed_at',
    'updated_at',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__deal_versions') }}

),

flat_rows as (

    select * from {{ ref('stg_flat__deal_versions') }}

),

salesforce_rows as (

    select * from {{ ref('stg_salesforce__deal_versions') }}

),

hubspot_rows as (

    select * from {{ ref('stg_hubspot__deal_versions') }}

),

unioned as (

    select
        'canonical' as source_system,
        {{ columns | join(',\n        ') }}
    from canonical_rows

    union all

    select
        'flat' as source_system,
        {{ columns | join(',\n        ') }}
    from flat_rows

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
