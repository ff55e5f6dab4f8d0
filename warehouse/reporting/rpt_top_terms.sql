-- object: reporting.rpt_top_terms
-- purpose: the words that characterise the corpus, by summed TF-IDF (IDF learned from the corpus)
-- grain: one row per term
-- keys: term
-- upstreams: core.fct_term_mentions, core.dim_terms, core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_top_terms as
with mentions as (
    select * from core.fct_term_mentions
    where article_sk not in (select article_sk from core.fct_article_duplicates)
),

final as (
    select
        terms.term,
        count(*) as article_count,
        sum(mentions.tf) as mention_count,
        round(sum(mentions.tfidf), 4) as tfidf_total,
        count(*) filter (where mentions.tfidf_rank <= 10) as keyword_of_article_count
    from mentions
    join core.dim_terms as terms using (term_sk)
    group by terms.term
    order by tfidf_total desc
)

select * from final;
comment on view reporting.rpt_top_terms is
    'Terms ranked by TF-IDF summed over articles (duplicates counted once); keyword_of_article_count counts articles where the term is a top-10 keyword.';
