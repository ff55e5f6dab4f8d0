-- object: staging.stg_places
-- purpose: places as written, normalised to administrative divisions
-- grain: one row per place mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_places (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    name            varchar not null,
    province        varchar,
    city            varchar,
    county          varchar,
    division_code   varchar
);
