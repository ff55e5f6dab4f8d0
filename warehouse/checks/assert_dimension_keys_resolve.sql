-- object: assert_dimension_keys_resolve
-- purpose: audit; returns fact rows whose dimension key has no dimension row (unknown members
--          exist so that a missing attribute never needs a dangling key)
-- grain: one row per dangling key
-- keys: (fact_table, dimension, key)
-- upstreams: core.fct_*, core.dim_*
-- materialized: check
-- catches: a dimension model that forgot a value its facts use, or a missing unknown member

with dangling as (
    select 'fct_articles' as fact_table, 'dim_dates' as dimension,
        cast(published_date_sk as varchar) as key
    from core.fct_articles anti join core.dim_dates on date_sk = published_date_sk
    union all
    select 'fct_articles', 'dim_sources', source_sk
    from core.fct_articles anti join core.dim_sources using (source_sk)
    union all
    select 'fct_articles', 'dim_regions', region_sk
    from core.fct_articles anti join core.dim_regions using (region_sk)
    union all
    select 'fct_term_mentions', 'dim_terms', term_sk
    from core.fct_term_mentions anti join core.dim_terms using (term_sk)
    union all
    select 'fct_quantities', 'dim_units', unit_sk
    from core.fct_quantities anti join core.dim_units using (unit_sk)
    union all
    select 'fct_entity_mentions', 'dim_people', person_sk
    from core.fct_entity_mentions anti join core.dim_people using (person_sk)
    where entity_type = 'person'
    union all
    select 'fct_entity_mentions', 'dim_organizations', organization_sk
    from core.fct_entity_mentions anti join core.dim_organizations using (organization_sk)
    where entity_type = 'organization'
    union all
    select 'fct_entity_mentions', 'dim_regions', region_sk
    from core.fct_entity_mentions anti join core.dim_regions using (region_sk)
    where entity_type = 'place'
    union all
    select 'fct_dated_events', 'dim_dates', cast(event_date_sk as varchar)
    from core.fct_dated_events anti join core.dim_dates on date_sk = event_date_sk
    union all
    select 'fct_topics', 'dim_topics', topic_sk
    from core.fct_topics anti join core.dim_topics using (topic_sk)
),

final as (
    select * from dangling
)

select * from final
