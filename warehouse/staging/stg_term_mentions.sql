-- object: staging.stg_term_mentions
-- purpose: how often each content word occurs in an article, with its TF-IDF weight
-- grain: one row per (article, term)
-- keys: (article_id, term)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_term_mentions (
    article_id      varchar not null,
    term            varchar not null,
    tf              integer not null,
    tfidf           double not null
);
