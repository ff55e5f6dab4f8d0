-- object: core.dim_units
-- purpose: units and measure words that quantities are counted in (个, 元, %, 条 ...)
-- grain: one row per unit as written, plus the unknown member
-- keys: unit_sk = sk(unit); sk(null) is the unknown member
-- upstreams: staging.stg_quantities
-- materialized: append_new_keys
-- unique_key: unit_sk

with units as (
    select distinct unit from staging.stg_quantities
),

final as (
    select sk(unit) as unit_sk, unit from units
    union all
    select sk(null), '(unknown)'
)

select * from final
