-- object: staging.stg_duplicates
-- purpose: duplicate links over the whole corpus (batch and earlier loads): each duplicate article points at its canonical article
-- grain: one row per duplicate article
-- keys: article_id
-- upstreams: ingest stage (deduplication) (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_duplicates (
    article_id              varchar not null,
    canonical_article_id    varchar not null,
    method                  varchar not null,
    similarity              double not null
);
