-- object: core.dim_people
-- purpose: people named in articles (by name; namesakes are not told apart)
-- grain: one row per person name, plus the unknown member
-- keys: person_sk = sk(name); sk(null) is the unknown member
-- upstreams: staging.stg_people
-- materialized: append_new_keys
-- unique_key: person_sk

with people as (
    select distinct name from staging.stg_people
),

final as (
    select sk(name) as person_sk, name from people
    union all
    select sk(null), '(unknown)'
)

select * from final
