-- object: ops.runs
-- purpose: one line of history per pipeline run: when, on what, how it ended, counts per stage,
--          and which process ran it (so a later run can tell a killed run from a live one)
-- grain: one row per run
-- keys: run_id (natural, the Prefect flow run id or a generated uuid outside Prefect)
-- upstreams: written by the flow
-- materialized: ddl
create table if not exists ops.runs (
    run_id          varchar not null primary key,
    source          varchar not null,
    started_at      timestamptz not null,
    ended_at        timestamptz,
    status          varchar not null,  -- running | completed | failed | crashed
    error           varchar,
    stage_counts    json,
    extractor_version varchar not null
);
-- Added after the first release: warehouses created before it gain the columns on the next run
-- (migrate() runs this file every time). A kill -9 leaves its row 'running'; the next run marks
-- it 'crashed' when this host has no such process any more.
alter table ops.runs add column if not exists hostname varchar;
alter table ops.runs add column if not exists pid integer;
-- The process start time (clock ticks since boot, from /proc): a reused pid is not the same run.
alter table ops.runs add column if not exists process_started bigint;
