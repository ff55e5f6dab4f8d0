-- object: staging.stg_tokens
-- purpose: jieba tokens of each article body
-- grain: one row per article
-- keys: article_id
-- upstreams: segment stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_tokens (
    article_id      varchar not null,
    token_count     integer not null,
    tokens          varchar[] not null
);
