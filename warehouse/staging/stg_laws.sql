-- object: staging.stg_laws
-- purpose: laws and documents named in 《》, typed
-- grain: one row per law mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_laws (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    title           varchar not null,
    kind            varchar
);
