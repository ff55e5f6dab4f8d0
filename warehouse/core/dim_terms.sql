-- object: core.dim_terms
-- purpose: the vocabulary of content words found by segmentation
-- grain: one row per term
-- keys: term_sk = sk(term)
-- upstreams: staging.stg_term_mentions
-- materialized: append_new_keys
-- unique_key: term_sk

with terms as (
    select distinct term from staging.stg_term_mentions
),

final as (
    select sk(term) as term_sk, term, length(term) as char_length from terms
)

select * from final
