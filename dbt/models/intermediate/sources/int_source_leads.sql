{%- set columns = [
    'lead_id',
    'owner_id',
    'account_id',
    'converted_deal_id',
    'lead_source',
    'status',
    'is_deleted',
    'created_at',
    'mql_at',
    'sql_at',
    'disqualified_at',
    'converted_at',
    'updated_at',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__leads') }}

),

salesforce_rows as (

    select * from {{ ref('stg_salesforce__leads') }}

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

)

select * from unioned
