-- object: core.fct_quantities
-- purpose: numbers the articles report, with unit, approximation marker and what is counted
-- grain: one row per quantity mention
-- keys: quantity_sk = sk(article_id|start_offset|end_offset); article_sk -> dim_articles; unit_sk -> dim_units
-- upstreams: staging.stg_quantities, staging.stg_run
-- materialized: by_article
-- unique_key: quantity_sk

with quantities as (
    select * from staging.stg_quantities
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', quantities.article_id, quantities.start_offset, quantities.end_offset))
            as quantity_sk,
        sk(quantities.article_id) as article_sk,
        sk(quantities.unit) as unit_sk,
        quantities.value,
        quantities.unit,
        quantities.approx,
        quantities.subject,
        quantities.text,
        quantities.start_offset,
        quantities.end_offset,
        run.run_id,
        run.extractor_version
    from quantities
    cross join run
)

select * from final
