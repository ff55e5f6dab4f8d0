-- object: core.fct_term_mentions
-- purpose: how strongly each content word characterises an article (term frequency and TF-IDF)
-- grain: one row per (article, term)
-- keys: term_mention_sk = sk(article_id|term); article_sk -> dim_articles; term_sk -> dim_terms
-- upstreams: staging.stg_term_mentions, staging.stg_keywords, staging.stg_run
-- materialized: by_article
-- unique_key: term_mention_sk

with mentions as (
    select * from staging.stg_term_mentions
),

tfidf_ranks as (
    select article_id, term, rank from staging.stg_keywords where method = 'tfidf'
),

textrank_ranks as (
    select article_id, term, rank from staging.stg_keywords where method = 'textrank'
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(mentions.article_id || '|' || mentions.term) as term_mention_sk,
        sk(mentions.article_id) as article_sk,
        sk(mentions.term) as term_sk,
        mentions.tf,
        mentions.tfidf,
        tfidf_ranks.rank as tfidf_rank,
        textrank_ranks.rank as textrank_rank,
        run.run_id,
        run.extractor_version
    from mentions
    left join tfidf_ranks using (article_id, term)
    left join textrank_ranks using (article_id, term)
    cross join run
)

select * from final
