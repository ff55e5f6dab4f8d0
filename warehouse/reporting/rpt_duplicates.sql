-- object: reporting.rpt_duplicates
-- purpose: which stories repeat another (reprints, near copies), and the copy that is counted
-- grain: one row per duplicate article
-- keys: duplicate_article_id
-- upstreams: core.fct_article_duplicates, core.dim_articles
-- materialized: view
create or replace view reporting.rpt_duplicates as
with duplicates as (
    select * from core.fct_article_duplicates
),

articles as (
    select * from core.dim_articles
),

final as (
    select
        duplicate.article_id as duplicate_article_id,
        duplicate.title as duplicate_title,
        duplicate.file_path as duplicate_file_path,
        duplicate.ordinal as duplicate_ordinal,
        duplicate.published_date as duplicate_published_date,
        canonical.article_id as canonical_article_id,
        canonical.title as canonical_title,
        canonical.file_path as canonical_file_path,
        canonical.ordinal as canonical_ordinal,
        canonical.published_date as canonical_published_date,
        duplicates.method,
        duplicates.similarity
    from duplicates
    join articles as duplicate on duplicate.article_sk = duplicates.article_sk
    join articles as canonical on canonical.article_sk = duplicates.canonical_article_sk
    order by canonical.file_path, canonical.ordinal, duplicate.file_path, duplicate.ordinal
)

select * from final;
comment on view reporting.rpt_duplicates is
    'Each duplicate story (title, file, position in the file) beside the canonical story it repeats, with the method (exact or near) and similarity. Aggregate views count only the canonical story.';
