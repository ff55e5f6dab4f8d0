-- object: reporting.rpt_articles_by_source_month
-- purpose: how many stories each source published per month, each story counted once
-- grain: one row per (source, month)
-- keys: (source_name, year_month)
-- upstreams: core.fct_articles, core.dim_sources, core.dim_dates, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_articles_by_source_month as
with articles as (
    select * from core.fct_articles
    where article_sk not in (select article_sk from core.fct_article_duplicates)
),

final as (
    select
        sources.source_name,
        dates.year_month,
        count(*) as article_count,
        sum(articles.char_count) as char_count
    from articles
    join core.dim_sources as sources using (source_sk)
    join core.dim_dates as dates on dates.date_sk = articles.published_date_sk
    group by sources.source_name, dates.year_month
    order by dates.year_month, sources.source_name
)

select * from final;
comment on view reporting.rpt_articles_by_source_month is
    'Stories per source and publish month; duplicates (reprints) are counted once. Unknown dates and sources appear as (unknown).';
