-- object: staging.stg_run
-- purpose: the run that produced the staged batch; every core row copies its lineage from here
-- grain: exactly one row
-- keys: run_id
-- upstreams: written by the flow before the load (replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_run (
    run_id              varchar not null,
    extractor_version   varchar not null,
    loaded_at           timestamptz not null
);
