-- object: staging.stg_slogans
-- purpose: slogans and numbered policy phrases
-- grain: one row per slogan mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_slogans (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    text            varchar not null
);
