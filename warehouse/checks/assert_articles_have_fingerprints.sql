-- object: assert_articles_have_fingerprints
-- purpose: audit; returns this batch's articles that have no fingerprint in core.fct_article_fingerprints
-- grain: one row per article without a fingerprint
-- keys: article_sk
-- upstreams: staging.stg_articles, core.fct_article_fingerprints
-- materialized: check
-- catches: a batch loaded without its fingerprints: later runs would recompute them from the
--          bodies every time, the cost the stored fingerprints exist to avoid

with batch_articles as (
    select sk(article_id) as article_sk from staging.stg_articles
),

final as (
    select article_sk
    from batch_articles
    anti join core.fct_article_fingerprints using (article_sk)
)

select * from final
