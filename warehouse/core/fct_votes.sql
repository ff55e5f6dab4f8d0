-- object: core.fct_votes
-- purpose: recorded votes on decisions
-- grain: one row per vote mention
-- keys: vote_sk = sk(article_id|start_offset|end_offset); article_sk -> dim_articles
-- upstreams: staging.stg_votes, staging.stg_run
-- materialized: by_article
-- unique_key: vote_sk

with mentions as (
    select * from staging.stg_votes
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', mentions.article_id, mentions.start_offset, mentions.end_offset)) as vote_sk,
        sk(mentions.article_id) as article_sk,
        mentions.text,
        mentions.votes_for,
        mentions.votes_against,
        mentions.votes_abstain,
        mentions.start_offset,
        mentions.end_offset,
        run.run_id,
        run.extractor_version
    from mentions
    cross join run
)

select * from final
