-- object: reporting.rpt_slogans_by_month
-- purpose: which slogans and numbered policy phrases circulate when, each story counted once
-- grain: one row per (slogan, publish month)
-- keys: (slogan, year_month)
-- upstreams: core.fct_slogans, core.fct_articles, core.dim_dates, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_slogans_by_month as
with mentions as (
    select * from core.fct_slogans
    anti join core.fct_article_duplicates using (article_sk)
),

articles as (
    select * from core.fct_articles
),

dates as (
    select * from core.dim_dates
),

final as (
    select
        mentions.slogan,
        dates.year_month,
        count(distinct mentions.article_sk) as article_count,
        count(*) as mention_count
    from mentions
    join articles using (article_sk)
    join dates on dates.date_sk = articles.published_date_sk
    group by mentions.slogan, dates.year_month
    order by dates.year_month, article_count desc, mentions.slogan
)

select * from final;
comment on view reporting.rpt_slogans_by_month is
    'Slogans and numbered policy phrases (五大行动, 1661 ...) per publish month: stories using them (reprints counted once) and mentions. Undated stories fall in year_month (unknown).';
