{#- An ISO 8601 text timestamp -> UTC `timestamp` (without time zone).

    A value with an offset (`Z`, `+02`, `+0200`, `+02:00`) is converted to UTC; a value
    without one, or a bare date, is taken as UTC already. The branch on the offset keeps
    the result independent of the session time zone, and is needed because both DuckDB
    and PostgreSQL silently drop the offset when text is cast straight to `timestamp`. -#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp')(column)) }}
{%- endmacro %}

{#- A time of day followed by an offset; a bare date's `-03` must not read as one. -#}
{% macro iso_offset_pattern() -%}
    '[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? *([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(column) -%}
    case
        when regexp_matches({{ to_string(column) }}, {{ iso_offset_pattern() }})
            then cast(cast({{ to_string(column) }} as timestamptz) at time zone 'UTC' as timestamp)
        else cast({{ to_string(column) }} as timestamp)
    end
{%- endmacro %}

{% macro postgres__to_utc_timestamp(column) -%}
    case
        when {{ to_string(column) }} ~ {{ iso_offset_pattern() }}
            then cast(cast({{ to_string(column) }} as timestamptz) at time zone 'UTC' as timestamp)
        else cast({{ to_string(column) }} as timestamp)
    end
{%- endmacro %}

{#- Engines without a tested branch: standard SQL, where a value without an offset
    follows the session time zone (set it to UTC). -#}
{% macro default__to_utc_timestamp(column) -%}
    cast(cast({{ to_string(column) }} as timestamp with time zone) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Spark reads an offset written `Z` or `+hh:mm` but not `+hh` or `+hhmm`, which it
    takes after a `UTC` prefix, so every offset is rewritten as `UTC+hh[[:]mm]`. A value
    without one follows the session time zone, which the `spark` profile pins to UTC. -#}
{% macro spark__to_utc_timestamp(column) -%}
    cast(
        case
            when {{ to_string(column) }} rlike {{ iso_offset_pattern() }}
                then regexp_replace(
                    regexp_replace({{ to_string(column) }}, ' *[zZ]$', '+00'),
                    ' *([+-][0-9]{2}(:?[0-9]{2})?)$',
                    'UTC$1'
                )
            else {{ to_string(column) }}
        end
        as timestamp
    )
{%- endmacro %}
