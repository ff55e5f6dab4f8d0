-- object: core.dim_regions
-- purpose: China's administrative divisions that articles are about or mention
-- grain: one row per (province, city, county) combination, plus the unknown member
-- keys: region_sk = sk(province|city|county); sk(null) is the unknown member
-- upstreams: staging.stg_places, staging.stg_article_regions
-- materialized: append_new_keys
-- unique_key: region_sk

with mentioned as (
    select province, city, county, division_code from staging.stg_places
),

about as (
    select province, city, county, division_code from staging.stg_article_regions
),

regions as (
    select
        province,
        city,
        county,
        max(division_code) as division_code
    from (select * from mentioned union all select * from about)
    where coalesce(province, city, county) is not null
    group by province, city, county
),

final as (
    select
        sk(concat_ws('|', province, city, county)) as region_sk,
        province,
        city,
        county,
        division_code,
        case
            when county is not null then 'county'
            when city is not null then 'city'
            else 'province'
        end as region_level
    from regions
    union all
    select sk(null), null, null, null, null, 'unknown'
)

select * from final
