{#- A rate lies in [0, 1], or is null where its denominator is 0: a rate outside means its
    numerator counted something its denominator did not. Returns the offending rows. -#}
{% test is_rate(model, column_name) %}

    select {{ column_name }} as rate

    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
