{#- Join conditions of the two "as of a day" intermediate models, said once.
    rate_on_day: `rates` (int_currency_rate_periods) holds the rate of `currency` on
    `day`: valid_from <= day < valid_to, the last period without end. -#}
{% macro rate_on_day(currency, day, rates='currency_rate_periods') -%}
    {{ currency }} = {{ rates }}.currency
            and {{ day }} >= {{ rates }}.valid_from
            and ({{ rates }}.valid_to is null or {{ day }} < {{ rates }}.valid_to)
{%- endmacro %}

{#- owner_on_day: `levels` (int_owner_levels) holds the owner `owner_id` and the team
    that owner was in on `day`, at rep, team and company level. -#}
{% macro owner_on_day(owner_id, day, levels='owner_levels') -%}
    {{ owner_id }} = {{ levels }}.owner_id
            and {{ day }} >= {{ levels }}.valid_from_date
            and {{ day }} < {{ levels }}.valid_to_date
{%- endmacro %}
