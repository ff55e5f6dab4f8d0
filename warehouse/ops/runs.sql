-- object: ops.runs
-- purpose: one line of history per pipeline run: when, on what, how it ended, counts per stage
-- grain: one row per run
-- keys: run_id (natural, the Prefect flow run id or a generated uuid outside Prefect)
-- upstreams: written by the flow
-- materialized: ddl
create table if not exists ops.runs (
    run_id          varchar not null primary key,
    source          varchar not null,
    started_at      timestamptz not null,
    ended_at        timestamptz,
    status          varchar not null,  -- running | completed | failed
    error           varchar,
    stage_counts    json,
    extractor_version varchar not null
);
