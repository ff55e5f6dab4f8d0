-- object: core.dim_topics
-- purpose: the functions of a People's Congress that articles are classified into
-- grain: one row per topic, plus the unknown member
-- keys: topic_sk = sk(topic); sk(null) is the unknown member
-- upstreams: staging.stg_topics
-- materialized: append_new_keys
-- unique_key: topic_sk

with topics as (
    select distinct topic from staging.stg_topics
),

final as (
    select sk(topic) as topic_sk, topic from topics
    union all
    select sk(null), '(unknown)'
)

select * from final
