-- object: raw.file_ledger
-- purpose: every input file the warehouse has seen, by path, with the content hash last processed;
--          a later run skips a path whose hash is unchanged and re-processes one that changed
-- grain: one row per source path (its latest version)
-- keys: path (natural); file_id = sha256 of the raw bytes
-- upstreams: staging.stg_files
-- materialized: ddl
create table if not exists raw.file_ledger (
    path            varchar not null primary key,
    file_id         varchar,
    size_bytes      bigint,
    encoding        varchar,
    status          varchar not null,  -- loaded | quarantined
    article_count   integer not null,
    page_chrome     varchar[],
    run_id          varchar not null,
    recorded_at     timestamptz not null
);
