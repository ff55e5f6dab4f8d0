-- object: reporting.rpt_articles_by_region_month
-- purpose: how many stories were about each region per publish month, each story counted once
-- grain: one row per (article region, publish month); the region is the article's own region at
--        its own level (a county article counts for its county, not again for its city)
-- keys: (province, city, county, year_month)
-- upstreams: core.fct_articles, core.dim_regions, core.dim_dates, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_articles_by_region_month as
with canonical_articles as (
    select * from core.fct_articles
    anti join core.fct_article_duplicates using (article_sk)
),

regions as (
    select * from core.dim_regions
),

dates as (
    select * from core.dim_dates
),

final as (
    select
        regions.province,
        regions.city,
        regions.county,
        regions.region_level,
        coalesce(nullif(concat_ws(' ', regions.province, regions.city, regions.county), ''),
            '(unknown)') as region_name,
        dates.year_month,
        count(*) as article_count,
        sum(canonical_articles.char_count) as char_count
    from canonical_articles
    join regions using (region_sk)
    join dates on dates.date_sk = canonical_articles.published_date_sk
    group by all
    order by regions.province, regions.city, regions.county, dates.year_month
)

select * from final;
comment on view reporting.rpt_articles_by_region_month is
    'Stories per region (province, city, county as the article names it; region_level says which) and publish month; reprints are counted once. Unknown regions and dates appear as (unknown); roll up with group by province.';
