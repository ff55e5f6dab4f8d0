-- object: reporting.rpt_topics_by_region
-- purpose: what People's Congress work (立法 监督 决定 任免 代表工作 ...) each region's stories
--          are about, as counts and as a share of the region's stories
-- grain: one row per (article region, article-level topic)
-- keys: (province, city, county, topic)
-- upstreams: core.fct_topics, core.dim_topics, core.fct_articles, core.dim_regions,
--            core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_topics_by_region as
with article_topics as (
    select * from core.fct_topics
    anti join core.fct_article_duplicates using (article_sk)
    where is_article_level
),

articles as (
    select * from core.fct_articles
),

topics as (
    select * from core.dim_topics
),

regions as (
    select * from core.dim_regions
),

region_topics as (
    select
        articles.region_sk,
        topics.topic,
        count(distinct article_topics.article_sk) as article_count
    from article_topics
    join articles using (article_sk)
    join topics using (topic_sk)
    group by articles.region_sk, topics.topic
),

-- the denominator is the region's stories, so shares add up to 1 when each has one topic
region_totals as (
    select articles.region_sk, count(distinct article_topics.article_sk) as region_article_count
    from article_topics
    join articles using (article_sk)
    group by articles.region_sk
),

final as (
    select
        regions.province,
        regions.city,
        regions.county,
        regions.region_level,
        coalesce(nullif(concat_ws(' ', regions.province, regions.city, regions.county), ''),
            '(unknown)') as region_name,
        region_topics.topic,
        region_topics.article_count,
        region_totals.region_article_count,
        round(region_topics.article_count / region_totals.region_article_count, 4)
            as share_of_region
    from region_topics
    join region_totals using (region_sk)
    join regions using (region_sk)
    order by region_name, region_topics.article_count desc, region_topics.topic
)

select * from final;
comment on view reporting.rpt_topics_by_region is
    'Per article region, stories by their article-level topic (立法 监督 决定 任免 代表工作 自身建设 其他): article_count and share_of_region (of the region''s stories with a topic). Reprints are counted once.';
