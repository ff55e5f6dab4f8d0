-- object: raw.quarantine
-- purpose: input files that could not be loaded, with a reason code an operator can act on;
--          the bytes stay recoverable in the source folder and in the quarantine folder
-- grain: one row per quarantined source path (its latest version)
-- keys: path (natural)
-- upstreams: staging.stg_quarantine
-- materialized: ddl
create table if not exists raw.quarantine (
    path            varchar not null primary key,
    file_id         varchar,
    size_bytes      bigint,
    reason          varchar not null,
    detail          varchar not null,
    run_id          varchar not null,
    quarantined_at  timestamptz not null
);
