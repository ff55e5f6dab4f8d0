-- object: staging.stg_dated_events
-- purpose: day-precise dates in the text, resolved against the publish date, with their sentence
-- grain: one row per dated event
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_dated_events (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    text            varchar not null,
    event_date      date not null,
    date_text       varchar not null
);
