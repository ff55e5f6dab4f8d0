-- object: core.fct_dated_events
-- purpose: what happened on which day, resolved against the article's publish date
-- grain: one row per dated event (a day-precise date and its sentence)
-- keys: dated_event_sk = sk(article_id|start_offset|end_offset); article_sk -> dim_articles;
--       event_date_sk -> dim_dates
-- upstreams: staging.stg_dated_events, staging.stg_run
-- materialized: by_article
-- unique_key: dated_event_sk

with events as (
    select * from staging.stg_dated_events
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', events.article_id, events.start_offset, events.end_offset))
            as dated_event_sk,
        sk(events.article_id) as article_sk,
        cast(strftime(events.event_date, '%Y%m%d') as integer) as event_date_sk,
        events.event_date,
        events.date_text,
        events.text,
        events.start_offset,
        events.end_offset,
        run.run_id,
        run.extractor_version
    from events
    cross join run
)

select * from final
