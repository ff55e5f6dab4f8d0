-- object: core.dim_people
-- purpose: people named in articles (by name; namesakes are not told apart)
-- grain: one row per person name
-- keys: person_sk = sk(name)
-- upstreams: staging.stg_people
-- materialized: append_new_keys
-- unique_key: person_sk

with people as (
    select distinct name from staging.stg_people
),

final as (
    select sk(name) as person_sk, name from people
)

select * from final
