-- object: staging.stg_fingerprints
-- purpose: what the duplicate search needs of each article body, so later runs need not read the body again: this batch's articles, plus any earlier article whose stored fingerprint was missing or made another way
-- grain: one row per article
-- keys: article_id
-- upstreams: ingest stage (deduplication) (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_fingerprints (
    article_id          varchar not null,
    method              varchar not null,
    text_hash           varchar not null,
    paragraph_shingles  integer[] not null,
    band_keys           ubigint[] not null
);
