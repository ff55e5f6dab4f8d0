-- object: reporting.rpt_runs
-- purpose: the history of pipeline runs, newest first
-- grain: one row per run
-- keys: run_id
-- upstreams: ops.runs
-- materialized: view
create or replace view reporting.rpt_runs as
with runs as (
    select * from ops.runs
),

final as (
    select
        run_id,
        status,
        source,
        started_at,
        ended_at,
        date_diff('millisecond', started_at, ended_at) / 1000.0 as seconds,
        error,
        stage_counts,
        extractor_version
    from runs
    order by started_at desc
)

select * from final;
comment on view reporting.rpt_runs is
    'Pipeline runs newest first: status (running, completed, failed), duration, error, and counts per stage.';
