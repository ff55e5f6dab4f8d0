-- object: reporting.rpt_people_roles
-- purpose: who is named in which story and in what role, as the article writes the role
-- grain: one row per (article, person, role as written); role is null for mentions without one
-- keys: (article_id, person_name, role)
-- upstreams: core.fct_entity_mentions, core.dim_people, core.dim_articles, core.dim_regions,
--            core.fct_article_duplicates
-- materialized: view
create or replace view reporting.rpt_people_roles as
with mentions as (
    select * from core.fct_entity_mentions
    where entity_type = 'person'
),

people as (
    select * from core.dim_people
),

canonical_articles as (
    select * from core.dim_articles
    anti join core.fct_article_duplicates using (article_sk)
),

regions as (
    select * from core.dim_regions
),

-- a byline is not a person the story is about, even if an extractor picked the name up
named_in_text as (
    select mentions.*, canonical_articles.article_id
    from mentions
    join canonical_articles using (article_sk)
    where not list_contains(coalesce(canonical_articles.authors, []), mentions.name)
),

per_role as (
    select
        article_id,
        person_sk,
        role,
        count(*) as mention_count,
        min(start_offset) as first_offset
    from named_in_text
    group by article_id, person_sk, role
),

per_person as (
    select article_id, person_sk, count(*) as person_mention_count
    from named_in_text
    group by article_id, person_sk
),

final as (
    select
        people.name as person_name,
        per_role.role,
        canonical_articles.article_id,
        canonical_articles.title,
        canonical_articles.published_date,
        regions.province,
        regions.city,
        regions.county,
        per_role.mention_count,
        per_person.person_mention_count,
        per_role.first_offset
    from per_role
    join per_person using (article_id, person_sk)
    join people using (person_sk)
    join canonical_articles using (article_id)
    left join regions on regions.region_sk = canonical_articles.region_sk
    order by people.name, canonical_articles.published_date, canonical_articles.article_id,
        per_role.first_offset
)

select * from final;
comment on view reporting.rpt_people_roles is
    'People named in stories with their role as written (党组书记、主任, 人大代表...), the article title, date and region, and how often the role and the person occur in it. Bylines are left out; reprints are counted once.';
