-- object: ops.gate_results
-- purpose: the outcome of every expectation of every gate, so data quality has a history
-- grain: one row per (run, suite, expectation)
-- keys: (run_id, suite_name, expectation_index)
-- upstreams: written by the flow after each gate
-- materialized: ddl
create table if not exists ops.gate_results (
    run_id              varchar not null,
    suite_name          varchar not null,
    expectation_index   integer not null,
    expectation_type    varchar not null,
    column_name         varchar,
    success             boolean not null,
    unexpected_count    bigint,
    observed_value      varchar,
    checked_at          timestamptz not null,
    primary key (run_id, suite_name, expectation_index)
);
