-- object: core.fct_entity_mentions
-- purpose: people, places and organisations named in articles, each traceable to its offset
-- grain: one row per entity mention (entity_type person | place | organization)
-- keys: entity_mention_sk = sk(article_id|entity_type|start_offset|end_offset), since nested
--       names share a start (市人大常委会 inside 市人大常委会机关); article_sk -> dim_articles;
--       person_sk -> dim_people, organization_sk -> dim_organizations, region_sk -> dim_regions
--       (each the unknown member sk(null) where it does not apply)
-- upstreams: staging.stg_people, staging.stg_places, staging.stg_organizations, staging.stg_run
-- materialized: by_article
-- unique_key: entity_mention_sk

with people as (
    select
        article_id, 'person' as entity_type, start_offset, end_offset, name, role,
        sk(name) as person_sk, sk(null) as organization_sk, sk(null) as region_sk
    from staging.stg_people
),

places as (
    select
        article_id, 'place' as entity_type, start_offset, end_offset, name, null as role,
        sk(null) as person_sk, sk(null) as organization_sk,
        case
            when coalesce(province, city, county) is null then sk(null)
            else sk(concat_ws('|', province, city, county))
        end as region_sk
    from staging.stg_places
),

organizations as (
    select
        article_id, 'organization' as entity_type, start_offset, end_offset, name, null as role,
        sk(null) as person_sk, sk(coalesce(resolved_name, name)) as organization_sk,
        sk(null) as region_sk
    from staging.stg_organizations
),

mentions as (
    select * from people
    union all
    select * from places
    union all
    select * from organizations
),

run as (
    select * from staging.stg_run
),

final as (
    select
        sk(concat_ws('|', mentions.article_id, mentions.entity_type, mentions.start_offset,
            mentions.end_offset)) as entity_mention_sk,
        sk(mentions.article_id) as article_sk,
        mentions.entity_type,
        mentions.name,
        mentions.role,
        mentions.person_sk,
        mentions.organization_sk,
        mentions.region_sk,
        mentions.start_offset,
        mentions.end_offset,
        run.run_id,
        run.extractor_version
    from mentions
    cross join run
)

select * from final
