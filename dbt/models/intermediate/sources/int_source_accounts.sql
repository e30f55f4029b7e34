{%- set columns = [
    'account_id',
    'owner_id',
    'account_name',
    'industry',
    'segment',
    'country',
    'is_deleted',
    'customer_since',
    'created_at',
    'churned_at',
    'updated_at',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__accounts') }}

),

flat_rows as (

    select * from {{ ref('stg_flat__accounts') }}

),

salesforce_rows as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

hubspot_rows as (

    select * from {{ ref('stg_hubspot__accounts') }}

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
