-- object: core.dim_organizations
-- purpose: organisations named in articles, by their resolved name where known
-- grain: one row per organisation name (resolved name when the article resolves an abbreviation), plus the unknown member
-- keys: organization_sk = sk(coalesce(resolved_name, name)); sk(null) is the unknown member
-- upstreams: staging.stg_organizations
-- materialized: append_new_keys
-- unique_key: organization_sk

with organizations as (
    select distinct coalesce(resolved_name, name) as organization_name
    from staging.stg_organizations
),

final as (
    select sk(organization_name) as organization_sk, organization_name from organizations
    union all
    select sk(null), '(unknown)'
)

select * from final
