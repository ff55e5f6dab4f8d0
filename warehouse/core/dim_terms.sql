-- object: core.dim_terms
-- purpose: the vocabulary of content words found by segmentation
-- grain: one row per term, plus the unknown member
-- keys: term_sk = sk(term); sk(null) is the unknown member
-- upstreams: staging.stg_term_mentions
-- materialized: append_new_keys
-- unique_key: term_sk

with terms as (
    select distinct term from staging.stg_term_mentions
),

final as (
    select sk(term) as term_sk, term, length(term) as char_length from terms
    union all
    select sk(null), '(unknown)', null
)

select * from final
