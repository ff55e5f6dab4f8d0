-- object: staging.stg_people
-- purpose: people named in an article with their role as written (bylines excluded)
-- grain: one row per person mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_people (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    name            varchar not null,
    role            varchar
);
