-- object: reporting.rpt_top_terms_by_region
-- purpose: the words that characterise each region's stories, ranked within the region
-- grain: one row per (article region, term)
-- keys: (province, city, county, term); rank is unique within a region (ties broken by term)
-- upstreams: core.fct_term_mentions, core.dim_terms, core.fct_articles, core.dim_regions,
--            core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_top_terms_by_region as
with mentions as (
    select * from core.fct_term_mentions
    anti join core.fct_article_duplicates using (article_sk)
),

articles as (
    select * from core.fct_articles
),

terms as (
    select * from core.dim_terms
),

regions as (
    select * from core.dim_regions
),

region_terms as (
    select
        articles.region_sk,
        terms.term,
        count(*) as article_count,
        sum(mentions.tf) as mention_count,
        round(sum(mentions.tfidf), 4) as tfidf_total
    from mentions
    join articles using (article_sk)
    join terms using (term_sk)
    group by articles.region_sk, terms.term
),

ranked as (
    select
        *,
        -- row_number, not rank: `where rank <= 10` must give at most ten terms per region
        row_number() over (
            partition by region_sk order by tfidf_total desc, mention_count desc, term
        ) as rank
    from region_terms
),

final as (
    select
        regions.province,
        regions.city,
        regions.county,
        regions.region_level,
        coalesce(nullif(concat_ws(' ', regions.province, regions.city, regions.county), ''),
            '(unknown)') as region_name,
        ranked.rank,
        ranked.term,
        ranked.tfidf_total,
        ranked.article_count,
        ranked.mention_count
    from ranked
    join regions using (region_sk)
    order by region_name, ranked.rank
)

select * from final;
comment on view reporting.rpt_top_terms_by_region is
    'Per article region, terms ranked by TF-IDF summed over its stories (rank 1 = most characteristic; reprints counted once). Filter with where rank <= 10.';
