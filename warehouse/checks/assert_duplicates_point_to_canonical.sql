-- object: assert_duplicates_point_to_canonical
-- purpose: audit; returns duplicate links that point at the article itself or at another
--          duplicate, since reports count an article once only when every chain ends in one
--          canonical article
-- grain: one row per bad duplicate link
-- keys: article_sk
-- upstreams: core.fct_article_duplicates
-- materialized: check
-- catches: chains (A -> B -> C) or cycles from deduplicating a batch against earlier loads; both
--          make "count canonical articles only" drop a story entirely

with duplicates as (
    select * from core.fct_article_duplicates
),

final as (
    select duplicates.article_sk, duplicates.canonical_article_sk,
        case when duplicates.article_sk = duplicates.canonical_article_sk then 'points at itself'
            else 'canonical is itself a duplicate' end as problem
    from duplicates
    where duplicates.article_sk = duplicates.canonical_article_sk
        or duplicates.canonical_article_sk in (select article_sk from core.fct_article_duplicates)
)

select * from final
