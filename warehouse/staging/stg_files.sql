-- object: staging.stg_files
-- purpose: the input files of this run's batch, loaded or quarantined
-- grain: one row per source path in the batch
-- keys: path
-- upstreams: ingest stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_files (
    path            varchar not null,
    file_id         varchar,
    size_bytes      bigint,
    encoding        varchar,
    status          varchar not null,
    article_count   integer not null,
    page_chrome     varchar[]
);
