{#- The ids of a Salesforce activity (Task or Event) in the canonical activity columns:
    WhatId is a deal when it is an opportunity's (key prefix 006), WhoId a lead when it
    is a lead's (00Q). -#}
{% macro salesforce_activity_links() -%}
    {{ cast_columns(to_string, {'activity_id': 'id', 'owner_id': 'owner_id'}) }},
        case when {{ to_string('what_id') }} like '006%' then {{ to_string('what_id') }} end
            as deal_id,
        {{ to_string('account_id') }} as account_id,
        case when {{ to_string('who_id') }} like '00Q%' then {{ to_string('who_id') }} end
            as lead_id
{%- endmacro %}
