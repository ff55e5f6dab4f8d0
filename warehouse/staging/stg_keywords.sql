-- object: staging.stg_keywords
-- purpose: the strongest terms of each article by TF-IDF (corpus IDF) and by TextRank
-- grain: one row per (article, method, term)
-- keys: (article_id, method, term)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_keywords (
    article_id      varchar not null,
    term            varchar not null,
    method          varchar not null,
    weight          double not null,
    rank            integer not null
);
