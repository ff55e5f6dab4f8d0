-- object: assert_unique_surrogate_keys
-- purpose: audit; returns surrogate keys that occur more than once in their table
-- grain: one row per duplicated key
-- keys: (table_name, key)
-- upstreams: core.dim_*, core.fct_*, staging.stg_articles, staging.stg_fingerprints
-- materialized: check
-- catches: a re-run that appended instead of replacing, or two mentions hashed to one key
-- scope: dimensions whole; article and fact rows of this batch's articles only. Rows of other
--        articles were audited when their batch loaded, and a key hashes its article's id, so
--        a duplicate always has a copy in one article: aggregating every key of a large
--        warehouse took more memory than the batch itself (OutOfMemory at 600 MB, 20,000
--        articles) and grew with every load.

with batch_articles as (
    select sk(article_id) as article_sk from staging.stg_articles
),

-- the batch's articles and the earlier ones whose fingerprints it recomputed
fingerprinted as (
    select sk(article_id) as article_sk from staging.stg_fingerprints
),

keys as (
    select 'dim_articles' as table_name, article_sk as key
        from core.dim_articles semi join batch_articles using (article_sk)
    union all select 'fct_articles', article_sk
        from core.fct_articles semi join batch_articles using (article_sk)
    union all select 'dim_dates', cast(date_sk as varchar) from core.dim_dates
    union all select 'dim_sources', source_sk from core.dim_sources
    union all select 'dim_regions', region_sk from core.dim_regions
    union all select 'dim_terms', term_sk from core.dim_terms
    union all select 'dim_units', unit_sk from core.dim_units
    union all select 'dim_people', person_sk from core.dim_people
    union all select 'dim_organizations', organization_sk from core.dim_organizations
    union all select 'dim_topics', topic_sk from core.dim_topics
    union all select 'fct_term_mentions', term_mention_sk
        from core.fct_term_mentions semi join batch_articles using (article_sk)
    union all select 'fct_quantities', quantity_sk
        from core.fct_quantities semi join batch_articles using (article_sk)
    union all select 'fct_entity_mentions', entity_mention_sk
        from core.fct_entity_mentions semi join batch_articles using (article_sk)
    union all select 'fct_laws', law_sk
        from core.fct_laws semi join batch_articles using (article_sk)
    union all select 'fct_slogans', slogan_sk
        from core.fct_slogans semi join batch_articles using (article_sk)
    union all select 'fct_votes', vote_sk
        from core.fct_votes semi join batch_articles using (article_sk)
    union all select 'fct_meetings', meeting_sk
        from core.fct_meetings semi join batch_articles using (article_sk)
    union all select 'fct_dated_events', dated_event_sk
        from core.fct_dated_events semi join batch_articles using (article_sk)
    union all select 'fct_topics', topic_assignment_sk
        from core.fct_topics semi join batch_articles using (article_sk)
    union all select 'fct_article_duplicates', article_sk from core.fct_article_duplicates
    union all select 'fct_article_fingerprints', article_sk
        from core.fct_article_fingerprints semi join fingerprinted using (article_sk)
),

final as (
    select table_name, key, count(*) as occurrences
    from keys
    group by table_name, key
    having count(*) > 1
)

select * from final
