-- object: reporting.rpt_quantities
-- purpose: every number the articles report, readable: article, date, region, subject, value, unit
-- grain: one row per quantity mention
-- keys: (article_id, start_offset)
-- upstreams: core.fct_quantities, core.dim_articles, core.dim_regions, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_quantities as
with quantities as (
    select * from core.fct_quantities
),

articles as (
    select * from core.dim_articles
),

final as (
    select
        articles.article_id,
        articles.title,
        articles.published_date,
        regions.province,
        regions.city,
        regions.county,
        quantities.subject,
        quantities.value,
        quantities.unit,
        quantities.approx,
        quantities.text,
        quantities.start_offset,
        quantities.article_sk in (select article_sk from core.fct_article_duplicates)
            as from_duplicate
    from quantities
    join articles using (article_sk)
    left join core.dim_regions as regions on regions.region_sk = articles.region_sk
    order by articles.published_date, articles.article_id, quantities.start_offset
)

select * from final;
comment on view reporting.rpt_quantities is
    'Every reported number with its unit, approximation (余 近 超 多 约 以上) and subject, and the title, date and region of its article. from_duplicate marks numbers repeated by a reprint.';
