with

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

events as (

    select * from {{ ref('stg_salesforce__events') }}

),

-- Tasks and events are both activities, in the same columns.
activity_versions as (

    select * from tasks
    union all
    select * from events

)

select * from activity_versions
