{%- set columns = [
    'user_version_id',
    'user_id',
    'manager_id',
    'full_name',
    'email',
    'role',
    'team',
    'region',
    'ote_currency',
    'ote_amount',
    'is_active',
    'hired_at',
    'updated_at',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__user_versions') }}

),

flat_rows as (

    select * from {{ ref('stg_flat__user_versions') }}

),

salesforce_rows as (

    select * from {{ ref('stg_salesforce__user_versions') }}

),

hubspot_rows as (

    select * from {{ ref('stg_hubspot__user_versions') }}

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
