-- object: core.fct_meetings
-- purpose: named meetings of congresses and their standing committees
-- grain: one row per meeting mention
-- keys: meeting_sk = sk(article_id|start_offset|end_offset); article_sk -> dim_articles
-- upstreams: staging.stg_meetings, staging.stg_run
-- materialized: by_article
-- unique_key: meeting_sk

with mentions as (
    select * from staging.stg_meetings
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', mentions.article_id, mentions.start_offset, mentions.end_offset)) as meeting_sk,
        sk(mentions.article_id) as article_sk,
        mentions.text,
        mentions.body_name,
        mentions.term_number,
        mentions.session_number,
        mentions.start_offset,
        mentions.end_offset,
        run.run_id,
        run.extractor_version
    from mentions
    cross join run
)

select * from final
