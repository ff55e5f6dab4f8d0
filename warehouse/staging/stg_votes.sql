-- object: staging.stg_votes
-- purpose: recorded votes (for, against, abstain)
-- grain: one row per vote mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_votes (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    text            varchar not null,
    votes_for       integer,
    votes_against   integer,
    votes_abstain   integer
);
