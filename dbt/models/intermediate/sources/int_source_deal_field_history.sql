{%- set columns = [
    'deal_field_change_id',
    'deal_id',
    'field',
    'old_value',
    'new_value',
    'changed_at',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__deal_field_history') }}

),

salesforce_rows as (

    select * from {{ ref('stg_salesforce__deal_field_history') }}

),

hubspot_rows as (

    select * from {{ ref('stg_hubspot__deal_field_history') }}

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
