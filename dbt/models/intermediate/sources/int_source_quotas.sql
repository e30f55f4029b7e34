{%- set columns = [
    'quota_id',
    'owner_id',
    'currency',
    'quota_type',
    'quota_amount',
    'period_start',
    'period_end',
    'extract_date',
    'source_file',
    'source_row',
    'loaded_at',
] -%}

with

canonical_rows as (

    select * from {{ ref('stg_canonical__quotas') }}

),

unioned as (

    select
        'canonical' as source_system,
        {{ columns | join(',\n        ') }}
    from canonical_rows

)

select * from unioned
