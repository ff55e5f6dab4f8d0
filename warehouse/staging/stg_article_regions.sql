-- object: staging.stg_article_regions
-- purpose: the place each article is about, normalised
-- grain: one row per article with a region
-- keys: article_id
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_article_regions (
    article_id      varchar not null,
    province        varchar,
    city            varchar,
    county          varchar,
    division_code   varchar
);
