-- object: staging.stg_articles
-- purpose: clean articles split from this batch's files, with their metadata
-- grain: one row per article
-- keys: article_id = hash(path, file_id, ordinal)
-- upstreams: ingest stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_articles (
    article_id      varchar not null,
    path            varchar not null,
    file_id         varchar not null,
    ordinal         integer not null,
    title           varchar,
    subtitle        varchar,
    published_date  date,
    source          varchar,
    authors         varchar[],
    url             varchar,
    body            varchar not null,
    body_original   varchar not null,
    char_count      integer not null
);
