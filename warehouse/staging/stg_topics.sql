-- object: staging.stg_topics
-- purpose: People's Congress function of each article (paragraph null) and paragraph, with evidence
-- grain: one row per (article, paragraph, topic)
-- keys: (article_id, paragraph, topic)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_topics (
    article_id      varchar not null,
    paragraph       integer,
    topic           varchar not null,
    score           double not null,
    evidence        varchar[] not null
);
