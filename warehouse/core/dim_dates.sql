-- object: core.dim_dates
-- purpose: calendar dimension for publish dates and event dates
-- grain: one row per calendar date, plus the unknown member (date_sk 0)
-- keys: date_sk = yyyymmdd as an integer (0 = unknown)
-- upstreams: staging.stg_articles, staging.stg_dated_events
-- materialized: append_new_keys
-- unique_key: date_sk

with published as (
    select published_date as calendar_date from staging.stg_articles
),

events as (
    select event_date as calendar_date from staging.stg_dated_events
),

all_dates as (
    select distinct calendar_date from (select * from published union all select * from events)
    where calendar_date is not null
),

known as (
    select
        cast(strftime(calendar_date, '%Y%m%d') as integer) as date_sk,
        calendar_date,
        year(calendar_date) as year,
        quarter(calendar_date) as quarter,
        month(calendar_date) as month,
        day(calendar_date) as day,
        strftime(calendar_date, '%Y-%m') as year_month,
        isodow(calendar_date) as iso_weekday
    from all_dates
),

unknown as (
    select 0 as date_sk, null::date as calendar_date, null::bigint as year, null::bigint as quarter,
        null::bigint as month, null::bigint as day, '(unknown)' as year_month,
        null::bigint as iso_weekday
),

final as (
    select * from known
    union all
    select * from unknown
)

select * from final
