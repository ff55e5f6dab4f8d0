-- object: core.dim_topics
-- purpose: the functions of a People's Congress that articles are classified into
-- grain: one row per topic
-- keys: topic_sk = sk(topic)
-- upstreams: staging.stg_topics
-- materialized: append_new_keys
-- unique_key: topic_sk

with topics as (
    select distinct topic from staging.stg_topics
),

final as (
    select sk(topic) as topic_sk, topic from topics
)

select * from final
