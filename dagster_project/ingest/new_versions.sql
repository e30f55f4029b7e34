-- The version rule: the rows of a batch of landing files that raw stores.
--
-- A batch row is a new version when its _row_hash differs from the version before it of
-- the same key: the previous row of the key in drop order (extract date, file, row), or,
-- for the batch's first row of a key, the latest version already stored. A value that
-- changes and changes back (a quota 100k -> 120k -> 100k) is therefore stored three
-- times, while a full export's unchanged rows are not stored again. Every row of a key
-- that appears more than once in one drop is stored, changed or not, so the gate sees
-- the duplicates.
--
-- dagster_project/ingest/versioning.py fills in the entity's table, key and columns; the
-- one parameter is the load's time.
insert into {raw_table} by name
with batch_rows as (
    select
        {absent_key_columns}
        {batch_columns},
        files.extract_date as _extract_date,
        files.source_file as _source_file,
        batch._source_row,
        -- Only non-null name=value pairs enter the hash (concat_ws skips nulls), so a row
        -- hashes the same whether an optional column is absent from the file or empty.
        md5(concat_ws(chr(31), {hash_parts})) as _row_hash
    from {batch_table} as batch
    inner join landing_batch_files as files on batch.filename = files.filename
),

batch_rows_counted as (
    select
        *,
        count(*) over (partition by _extract_date, {key}) as key_rows_in_drop
    from batch_rows
),

batch_keys as (
    select distinct {key} from batch_rows
),

stored_versions as (
    select
        {batch_key},
        stored._row_hash,
        row_number() over (
            partition by {batch_key}
            order by stored._extract_date desc, stored._source_file desc,
                stored._source_row desc
        ) as recency
    from {raw_table} as stored
    -- A key column the export leaves out (or leaves empty) is null on both sides: a null
    -- matches a null, as rows of one batch pair up in the windows below.
    inner join batch_keys as batch on {key_matches}
),

version_sequence as (
    select {key}, _row_hash, 0 as is_new, null as _extract_date,
        null as _source_file, null as _source_row
    from stored_versions
    where recency = 1
    union all
    select {key}, _row_hash, 1 as is_new, _extract_date, _source_file, _source_row
    from batch_rows
),

changed_rows as (
    select
        _source_file,
        _source_row,
        is_new,
        _row_hash is distinct from lag(_row_hash) over (
            partition by {key}
            order by is_new, _extract_date, _source_file, _source_row
        ) as is_changed
    from version_sequence
)

select {kept_columns},
    batch_rows._extract_date, batch_rows._source_file, batch_rows._source_row,
    batch_rows._row_hash, cast(? as timestamp) as _loaded_at
from batch_rows_counted as batch_rows
inner join changed_rows
    on batch_rows._source_file = changed_rows._source_file
    and batch_rows._source_row = changed_rows._source_row
where changed_rows.is_new = 1
    and (changed_rows.is_changed or batch_rows.key_rows_in_drop > 1)
