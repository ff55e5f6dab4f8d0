-- object: core.fct_article_duplicates
-- purpose: which articles retell another (reprints, near copies), so reports count a story once
-- grain: one row per duplicate article (canonical articles have no row)
-- keys: article_sk -> dim_articles; canonical_article_sk -> dim_articles
-- upstreams: staging.stg_duplicates (computed over the whole corpus each run), staging.stg_run
-- materialized: replace_all
-- unique_key: article_sk

with duplicates as (
    select * from staging.stg_duplicates
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(duplicates.article_id) as article_sk,
        sk(duplicates.canonical_article_id) as canonical_article_sk,
        duplicates.method,
        duplicates.similarity,
        run.run_id,
        run.extractor_version
    from duplicates
    cross join run
)

select * from final
