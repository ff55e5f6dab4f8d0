-- object: assert_offsets_inside_articles
-- purpose: audit; returns mentions whose offsets fall outside their article or whose text is not
--          the article's text at those offsets (GDELT-style traceability of every fact)
-- grain: one row per untraceable mention
-- keys: (fact_table, article_sk, start_offset)
-- upstreams: core.fct_quantities, core.fct_entity_mentions, core.fct_laws, core.fct_slogans,
--            core.fct_votes, core.fct_meetings, core.dim_articles, staging.stg_articles
-- materialized: check
-- catches: offsets computed on another version of the text (before normalisation, say)
-- scope: the mentions of this batch's articles; the others were checked when their batch loaded
--        and are unchanged (comparing every mention with every body ever loaded took a second
--        and 140 MB at 20,000 articles, growing with each load)

with batch_articles as (
    select sk(article_id) as article_sk from staging.stg_articles
),

articles as (
    select article_sk, char_count, body
    from core.dim_articles semi join batch_articles using (article_sk)
),

spans as (
    select 'fct_quantities' as fact_table, article_sk, start_offset, end_offset, text
    from core.fct_quantities
    union all select 'fct_entity_mentions', article_sk, start_offset, end_offset, name
        from core.fct_entity_mentions
    union all select 'fct_slogans', article_sk, start_offset, end_offset, slogan from core.fct_slogans
    union all select 'fct_votes', article_sk, start_offset, end_offset, text from core.fct_votes
    union all select 'fct_meetings', article_sk, start_offset, end_offset, text from core.fct_meetings
),

final as (
    select spans.*
    from spans
    join articles using (article_sk)
    where spans.start_offset < 0
        or spans.end_offset > articles.char_count
        or spans.start_offset >= spans.end_offset
        or substring(articles.body, spans.start_offset + 1, spans.end_offset - spans.start_offset)
            <> spans.text
)

select * from final
