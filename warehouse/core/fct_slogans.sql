-- object: core.fct_slogans
-- purpose: slogans and numbered policy phrases (五大行动, 1661)
-- grain: one row per slogan mention
-- keys: slogan_sk = sk(article_id|start_offset|end_offset); article_sk -> dim_articles
-- upstreams: staging.stg_slogans, staging.stg_run
-- materialized: by_article
-- unique_key: slogan_sk

with mentions as (
    select * from staging.stg_slogans
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', mentions.article_id, mentions.start_offset, mentions.end_offset)) as slogan_sk,
        sk(mentions.article_id) as article_sk,
        mentions.text as slogan,
        mentions.start_offset,
        mentions.end_offset,
        run.run_id,
        run.extractor_version
    from mentions
    cross join run
)

select * from final
