-- object: reporting.rpt_laws
-- purpose: which laws and documents (in 《》) the stories cite, how widely, and since when
-- grain: one row per (law title, kind)
-- keys: (law_title, kind)
-- upstreams: core.fct_laws, core.dim_articles, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_laws as
with mentions as (
    select * from core.fct_laws
),

articles as (
    select * from core.dim_articles
),

duplicates as (
    select * from core.fct_article_duplicates
),

final as (
    select
        mentions.title as law_title,
        mentions.kind,
        count(distinct mentions.article_sk) filter (where duplicates.article_sk is null)
            as article_count,
        count(*) filter (where duplicates.article_sk is null) as mention_count,
        -- a reprint's date is still a real sighting (reprints often carry the date the first
        -- copy lacks), so dates come from every article while counts skip reprints
        min(articles.published_date) as first_published_date,
        max(articles.published_date) as last_published_date
    from mentions
    join articles using (article_sk)
    left join duplicates using (article_sk)
    group by mentions.title, mentions.kind
    order by article_count desc, law_title
)

select * from final;
comment on view reporting.rpt_laws is
    'Laws, regulations and documents cited in 《》 with their kind (法 条例 决定 办法 ...): how many stories cite them (reprints counted once), mentions, and the first and last publish date they were seen (null when no citing story is dated).';
