-- object: assert_no_orphan_facts
-- purpose: audit; returns fact rows whose article is missing from core.dim_articles
-- grain: one row per orphan fact row
-- keys: (fact_table, row_sk)
-- upstreams: core.fct_*, core.dim_articles
-- materialized: check
-- catches: a by-article delete that missed a table, or a fact loaded for an article never loaded

with fact_articles as (
    select 'fct_articles' as fact_table, article_sk, article_sk as row_sk from core.fct_articles
    union all select 'fct_term_mentions', article_sk, term_mention_sk from core.fct_term_mentions
    union all select 'fct_quantities', article_sk, quantity_sk from core.fct_quantities
    union all select 'fct_entity_mentions', article_sk, entity_mention_sk from core.fct_entity_mentions
    union all select 'fct_laws', article_sk, law_sk from core.fct_laws
    union all select 'fct_slogans', article_sk, slogan_sk from core.fct_slogans
    union all select 'fct_votes', article_sk, vote_sk from core.fct_votes
    union all select 'fct_meetings', article_sk, meeting_sk from core.fct_meetings
    union all select 'fct_dated_events', article_sk, dated_event_sk from core.fct_dated_events
    union all select 'fct_topics', article_sk, topic_assignment_sk from core.fct_topics
    union all select 'fct_article_fingerprints', article_sk, article_sk
        from core.fct_article_fingerprints
    union all select 'fct_article_duplicates', article_sk, article_sk from core.fct_article_duplicates
    union all select 'fct_article_duplicates', canonical_article_sk, article_sk
        from core.fct_article_duplicates
),

final as (
    select fact_articles.*
    from fact_articles
    anti join core.dim_articles using (article_sk)
)

select * from final
