-- object: assert_articles_have_one_fact_row
-- purpose: audit; returns articles that are in dim_articles but not in fct_articles or the
--          reverse, so article counts from either table reconcile
-- grain: one row per unmatched article
-- keys: article_sk
-- upstreams: core.dim_articles, core.fct_articles
-- materialized: check
-- catches: a failed rebuild of one of the two article tables, which would make rpt_articles and
--          the by-month counts disagree

with described as (
    select article_sk from core.dim_articles
),

measured as (
    select article_sk from core.fct_articles
),

final as (
    select article_sk, 'dim_articles only' as found_in from described anti join measured using (article_sk)
    union all
    select article_sk, 'fct_articles only' from measured anti join described using (article_sk)
)

select * from final
