-- object: staging.stg_organizations
-- purpose: organisations as written, abbreviations resolved where the article says
-- grain: one row per organisation mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_organizations (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    name            varchar not null,
    resolved_name   varchar
);
