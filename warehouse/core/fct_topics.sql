-- object: core.fct_topics
-- purpose: which People's Congress function (立法 监督 决定 任免 代表工作 自身建设 其他) an article
--          and each of its paragraphs is about, with the words that gave it away
-- grain: one row per (article, paragraph, topic); paragraph is null for the whole article
-- keys: topic_assignment_sk = sk(article_id|paragraph|topic); article_sk -> dim_articles;
--       topic_sk -> dim_topics
-- upstreams: staging.stg_topics, staging.stg_run
-- materialized: by_article
-- unique_key: topic_assignment_sk

with topics as (
    select * from staging.stg_topics
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(topics.article_id || '|' || coalesce(cast(topics.paragraph as varchar), 'article')
            || '|' || topics.topic) as topic_assignment_sk,
        sk(topics.article_id) as article_sk,
        sk(topics.topic) as topic_sk,
        topics.paragraph,
        topics.paragraph is null as is_article_level,
        topics.score,
        topics.evidence,
        run.run_id,
        run.extractor_version
    from topics
    cross join run
)

select * from final
