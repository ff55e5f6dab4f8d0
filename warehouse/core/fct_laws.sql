-- object: core.fct_laws
-- purpose: laws and documents cited in 《》, typed by kind
-- grain: one row per law mention
-- keys: law_sk = sk(article_id|start_offset|end_offset); article_sk -> dim_articles
-- upstreams: staging.stg_laws, staging.stg_run
-- materialized: by_article
-- unique_key: law_sk

with mentions as (
    select * from staging.stg_laws
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', mentions.article_id, mentions.start_offset, mentions.end_offset)) as law_sk,
        sk(mentions.article_id) as article_sk,
        mentions.title,
        mentions.kind,
        mentions.start_offset,
        mentions.end_offset,
        run.run_id,
        run.extractor_version
    from mentions
    cross join run
)

select * from final
