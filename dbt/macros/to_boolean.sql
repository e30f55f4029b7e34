{#- true/false/t/f/1/0 in any case -> boolean. Anything else goes to the engine's own
    cast, so a value that is no boolean fails the model loudly instead of becoming null. -#}
{% macro to_boolean(column) -%}
    case lower({{ to_string(column) }})
        when 'true' then true
        when 't' then true
        when '1' then true
        when 'false' then false
        when 'f' then false
        when '0' then false
        else cast({{ to_string(column) }} as {{ dbt.type_boolean() }})
    end
{%- endmacro %}
