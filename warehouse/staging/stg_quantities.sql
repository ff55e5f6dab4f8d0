-- object: staging.stg_quantities
-- purpose: numbers with their unit, approximation and subject
-- grain: one row per quantity mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_quantities (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    text            varchar not null,
    value           double not null,
    unit            varchar not null,
    approx          varchar,
    subject         varchar
);
