-- object: core.fct_articles
-- purpose: one measurable row per article, joined to its date, source and region
-- grain: one row per article
-- keys: article_sk -> dim_articles; published_date_sk -> dim_dates; source_sk -> dim_sources;
--       region_sk -> dim_regions
-- upstreams: staging.stg_articles, staging.stg_tokens, staging.stg_article_regions, staging.stg_run
-- materialized: by_article
-- unique_key: article_sk

with articles as (
    select * from staging.stg_articles
),

tokens as (
    select * from staging.stg_tokens
),

regions as (
    select * from staging.stg_article_regions
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(articles.article_id) as article_sk,
        coalesce(cast(strftime(articles.published_date, '%Y%m%d') as integer), 0)
            as published_date_sk,
        sk(articles.source) as source_sk,
        sk(concat_ws('|', regions.province, regions.city, regions.county)) as region_sk,
        articles.char_count,
        coalesce(tokens.token_count, 0) as token_count,
        run.run_id,
        run.extractor_version
    from articles
    left join tokens on tokens.article_id = articles.article_id
    left join regions on regions.article_id = articles.article_id
    cross join run
)

select * from final
