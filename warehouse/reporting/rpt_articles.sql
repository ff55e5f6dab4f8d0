-- object: reporting.rpt_articles
-- purpose: one readable line per article: title, date, source, region, duplicate flag
-- grain: one row per article
-- keys: article_id
-- upstreams: core.dim_articles, core.dim_regions, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_articles as
with articles as (
    select * from core.dim_articles
),

regions as (
    select * from core.dim_regions
),

duplicates as (
    select * from core.fct_article_duplicates
),

final as (
    select
        articles.article_id,
        articles.title,
        articles.subtitle,
        articles.published_date,
        articles.source_name,
        regions.province,
        regions.city,
        regions.county,
        articles.authors,
        articles.url,
        articles.file_path,
        articles.char_count,
        duplicates.article_sk is not null as is_duplicate,
        canonical.article_id as canonical_article_id
    from articles
    left join regions using (region_sk)
    left join duplicates using (article_sk)
    left join articles as canonical on canonical.article_sk = duplicates.canonical_article_sk
)

select * from final;
comment on view reporting.rpt_articles is
    'One row per article: title, publish date, source, region, and whether it repeats another (is_duplicate, canonical_article_id).';
