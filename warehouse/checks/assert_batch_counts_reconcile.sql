-- object: assert_batch_counts_reconcile
-- purpose: audit; returns fact tables whose rows for this batch's articles differ in number from
--          the rows staged for them (each staged row must become exactly one core row)
-- grain: one row per fact table whose counts disagree
-- keys: fact_table
-- upstreams: staging.stg_*, core.fct_*, core.dim_articles
-- materialized: check
-- catches: a join in a core model that drops or fans out rows (a missing dimension row, a
--          duplicated staging key), or a by-article delete that left the old copy behind

with batch_articles as (
    select sk(article_id) as article_sk from staging.stg_articles
),

staged as (
    select 'dim_articles' as fact_table, count(*) as staged_rows from staging.stg_articles
    union all select 'fct_articles', count(*) from staging.stg_articles
    union all select 'fct_term_mentions', count(*) from staging.stg_term_mentions
    union all select 'fct_quantities', count(*) from staging.stg_quantities
    union all select 'fct_entity_mentions',
        (select count(*) from staging.stg_people) + (select count(*) from staging.stg_places)
        + (select count(*) from staging.stg_organizations)
    union all select 'fct_laws', count(*) from staging.stg_laws
    union all select 'fct_slogans', count(*) from staging.stg_slogans
    union all select 'fct_votes', count(*) from staging.stg_votes
    union all select 'fct_meetings', count(*) from staging.stg_meetings
    union all select 'fct_dated_events', count(*) from staging.stg_dated_events
    union all select 'fct_topics', count(*) from staging.stg_topics
),

loaded as (
    select 'dim_articles' as fact_table, count(*) as core_rows
    from core.dim_articles semi join batch_articles using (article_sk)
    union all select 'fct_articles', count(*)
        from core.fct_articles semi join batch_articles using (article_sk)
    union all select 'fct_term_mentions', count(*)
        from core.fct_term_mentions semi join batch_articles using (article_sk)
    union all select 'fct_quantities', count(*)
        from core.fct_quantities semi join batch_articles using (article_sk)
    union all select 'fct_entity_mentions', count(*)
        from core.fct_entity_mentions semi join batch_articles using (article_sk)
    union all select 'fct_laws', count(*)
        from core.fct_laws semi join batch_articles using (article_sk)
    union all select 'fct_slogans', count(*)
        from core.fct_slogans semi join batch_articles using (article_sk)
    union all select 'fct_votes', count(*)
        from core.fct_votes semi join batch_articles using (article_sk)
    union all select 'fct_meetings', count(*)
        from core.fct_meetings semi join batch_articles using (article_sk)
    union all select 'fct_dated_events', count(*)
        from core.fct_dated_events semi join batch_articles using (article_sk)
    union all select 'fct_topics', count(*)
        from core.fct_topics semi join batch_articles using (article_sk)
),

final as (
    select staged.fact_table, staged.staged_rows, loaded.core_rows
    from staged
    join loaded using (fact_table)
    where staged.staged_rows <> loaded.core_rows
)

select * from final
