-- depends_on: {{ ref('stg_canonical__extracts') }}
with

source as (

    select * from {{ source('canonical', 'deal_field_history') }}

),

{% if is_incremental() %}

-- Changes are deduplicated within a deal, so an incremental run deduplicates again only
-- the deals with a change loaded since the last build, or with a row from a load since
-- replaced (macros/staging_incremental.sql); only their raw rows are cast.
changed_deal_ids as (

    {{ keys_to_rank_again(
        'deal_id', source('canonical', 'deal_field_history'), to_string('versions.deal_id'),
        'versions._loaded_at'
    ) }}

),

{% endif %}

renamed as (

    select

        ---------- ids
        {{ to_string('deal_id') }} as deal_id,

        ---------- strings
        -- Values stay text: one column holds stages, amounts, dates and owner ids.
        {{ to_string('field') }} as field,
        {{ to_string('old_value') }} as old_value,
        {{ to_string('new_value') }} as new_value,

        ---------- timestamps
        {{ to_utc_timestamp('changed_at') }} as changed_at,

        ---------- lineage
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source
    {% if is_incremental() %}
        where {{ to_string('source.deal_id') }} in (select deal_id from changed_deal_ids)
    {% endif %}

),

-- Every export repeats the changes it already sent: one row per distinct change,
-- from its latest delivery.
changes_ranked as (

    select
        renamed.*,
        row_number() over (
            partition by deal_id, field, old_value, new_value, changed_at
            order by extract_date desc, loaded_at desc, source_row desc
        ) as delivery_rank

    from renamed

),

deduplicated as (

    select
        {{ hash_key(['deal_id', 'field', 'old_value', 'new_value', 'changed_at']) }}
            as deal_field_change_id,
        deal_id,
        field,
        old_value,
        new_value,
        changed_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from changes_ranked
    where delivery_rank = 1

)

select * from deduplicated
