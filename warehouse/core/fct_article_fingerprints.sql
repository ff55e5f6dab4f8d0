-- object: core.fct_article_fingerprints
-- purpose: each article's duplicate-search fingerprint (the folded text's hash, and per indexed paragraph its 3-gram count and MinHash band keys), read by later runs instead of every body ever loaded
-- grain: one row per article
-- keys: article_sk -> dim_articles
-- upstreams: staging.stg_fingerprints
-- materialized: upsert_by_article
-- unique_key: article_sk

with fingerprints as (
    select * from staging.stg_fingerprints
),

final as (
    select
        sk(fingerprints.article_id) as article_sk,
        fingerprints.method,
        fingerprints.text_hash,
        fingerprints.paragraph_shingles,
        fingerprints.band_keys
    from fingerprints
)

select * from final
