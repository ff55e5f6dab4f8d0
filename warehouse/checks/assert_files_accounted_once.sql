-- object: assert_files_accounted_once
-- purpose: audit; returns batch files that are not in exactly one of (loaded ledger rows,
--          quarantine), or loaded files that produced no article
-- grain: one row per unaccounted file
-- keys: path
-- upstreams: staging.stg_files, raw.file_ledger, raw.quarantine, core.dim_articles
-- materialized: check
-- catches: a file lost between ingest and load, or recorded as both loaded and quarantined

with batch as (
    select path from staging.stg_files
),

loaded as (
    select path from raw.file_ledger where status = 'loaded'
),

quarantined as (
    select path from raw.quarantine
),

article_files as (
    select distinct file_path as path from core.dim_articles
),

final as (
    select
        batch.path,
        loaded.path is not null as is_loaded,
        quarantined.path is not null as is_quarantined,
        article_files.path is not null as has_articles
    from batch
    left join loaded using (path)
    left join quarantined using (path)
    left join article_files using (path)
    where (loaded.path is not null) = (quarantined.path is not null)
        or (loaded.path is not null) <> (article_files.path is not null)
)

select * from final
