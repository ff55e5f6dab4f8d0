-- object: macro sk
-- purpose: surrogate key from a natural key, identical on every run so reloads are idempotent
-- grain: n/a (scalar macro)
-- keys: returns the first 16 hex digits of md5(natural key); null hashes like ''
-- upstreams: none
-- materialized: ddl
create or replace macro sk(natural_key) as left(md5(coalesce(cast(natural_key as varchar), '')), 16);
