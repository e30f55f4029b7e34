{#- A Salesforce Opportunity row in the canonical deal columns, for the two tables that
    carry one: its history versions and its current rows. `version_started_at` is the
    raw expression of the time the row's version started (its updated_at). The stage
    label is kept as source_stage; int_salesforce__deal_versions maps it. -#}
{% macro salesforce_opportunity_columns(version_started_at) -%}
    {%- set forecast_category_label -%}
        coalesce({{ to_string('forecast_category_name') }}, {{ to_string('forecast_category') }})
    {%- endset -%}

        ---------- ids
        {{ to_string('id') }} as deal_id,
        {{ cast_columns(to_string, ['account_id', 'owner_id']) }},

        ---------- strings
        {{ to_string('name') }} as deal_name,
        'default' as source_pipeline,
        {{ to_string('stage_name') }} as source_stage,
        -- ForecastCategoryName (the label a rep picks), else ForecastCategory (its API
        -- value: BestCase, Forecast for commit). Another value is no category (the gate
        -- warns) and the stage's applies (int_deal_versions).
        case {{ forecast_category_label }}
            when 'Omitted' then 'omitted'
            when 'Pipeline' then 'pipeline'
            when 'Best Case' then 'best_case'
            when 'BestCase' then 'best_case'
            when 'Commit' then 'commit'
            when 'Forecast' then 'commit'
            when 'Closed' then 'closed'
        end as forecast_category,
        case {{ to_string('type') }}
            when 'New Business' then 'new_business'
            when 'Existing Business' then 'expansion'
            when 'Renewal' then 'renewal'
        end as deal_type,
        -- A multi-currency org exports each opportunity's CurrencyIsoCode; a
        -- single-currency org has no such field and its amounts are in the reporting
        -- currency.
        coalesce(
            upper({{ to_string('currency_iso_code') }}), '{{ var("reporting_currency") }}'
        ) as currency,
        {{ cast_columns(to_string, ['next_step', 'lead_source']) }},

        ---------- numerics
        {{ to_numeric('amount') }} as amount,
        -- Salesforce gives 0-100; a value outside it is no probability (the gate warns)
        -- and the stage's default applies. Cast back after dividing: engines differ in
        -- the scale a decimal quotient gets (PostgreSQL keeps 20 places).
        case
            when {{ to_numeric('probability') }} between 0 and 100
                then cast({{ to_numeric('probability') }} / 100 as {{ dbt.type_numeric() }})
        end as probability,

        ---------- booleans
        coalesce({{ to_boolean('is_closed') }}, false) as is_closed,
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        {{ to_date('close_date') }} as expected_close_date,

        ---------- timestamps
        {{ to_utc_timestamp('created_date') }} as created_at,
        {{ to_utc_timestamp(version_started_at) }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}
{%- endmacro %}
