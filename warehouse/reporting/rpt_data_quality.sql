-- object: reporting.rpt_data_quality
-- purpose: the latest result of every expectation of every gate
-- grain: one row per (suite, expectation) from the most recent run that checked the suite
-- keys: (suite_name, expectation_index)
-- upstreams: ops.gate_results
-- materialized: view
create or replace view reporting.rpt_data_quality as
with results as (
    select * from ops.gate_results
),

latest as (
    select suite_name, max(checked_at) as checked_at from results group by suite_name
),

final as (
    select
        results.suite_name,
        results.expectation_index,
        results.expectation_type,
        results.column_name,
        results.success,
        results.unexpected_count,
        results.observed_value,
        results.run_id,
        results.checked_at
    from results
    join latest using (suite_name, checked_at)
    order by results.suite_name, results.expectation_index
)

select * from final;
comment on view reporting.rpt_data_quality is
    'Latest outcome of each Great Expectations expectation per suite: success, unexpected_count, and the run that checked it.';
