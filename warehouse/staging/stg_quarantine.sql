-- object: staging.stg_quarantine
-- purpose: files of this batch that could not be loaded, with the reason
-- grain: one row per quarantined source path
-- keys: path
-- upstreams: ingest stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_quarantine (
    path            varchar not null,
    file_id         varchar,
    size_bytes      bigint,
    reason          varchar not null,
    detail          varchar not null
);
