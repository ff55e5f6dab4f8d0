-- object: core.dim_sources
-- purpose: the publication an article came from (来源/稿源/本报/新华社)
-- grain: one row per source name, plus the unknown member
-- keys: source_sk = sk(source_name); sk(null) is the unknown member
-- upstreams: staging.stg_articles
-- materialized: append_new_keys
-- unique_key: source_sk

with sources as (
    select distinct source as source_name from staging.stg_articles where source is not null
),

final as (
    select sk(source_name) as source_sk, source_name from sources
    union all
    select sk(null) as source_sk, '(unknown)' as source_name
)

select * from final
