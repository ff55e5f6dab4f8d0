-- object: core.dim_articles
-- purpose: every article with its descriptive attributes and full text
-- grain: one row per article (a file holds one or more articles)
-- keys: article_sk = sk(article_id); article_id = hash(path, file_id, ordinal)
-- upstreams: staging.stg_articles, staging.stg_article_regions, staging.stg_run
-- materialized: by_article
-- unique_key: article_sk

with articles as (
    select * from staging.stg_articles
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
        articles.article_id,
        articles.path as file_path,
        articles.file_id,
        articles.ordinal,
        articles.title,
        articles.subtitle,
        articles.published_date,
        articles.source as source_name,
        articles.authors,
        articles.url,
        articles.char_count,
        sk(articles.source) as source_sk,
        sk(concat_ws('|', regions.province, regions.city, regions.county)) as region_sk,
        articles.body,
        articles.body_original,
        run.run_id,
        run.extractor_version
    from articles
    left join regions on regions.article_id = articles.article_id
    cross join run
)

select * from final
