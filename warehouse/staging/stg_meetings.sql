-- object: staging.stg_meetings
-- purpose: named meetings (市十二届人大常委会第十三次会议) with term and session numbers
-- grain: one row per meeting mention
-- keys: (article_id, start_offset)
-- upstreams: extract stage (Parquet written by the stage, replaced on every run)
-- materialized: ddl
create table if not exists staging.stg_meetings (
    article_id      varchar not null,
    start_offset    integer not null,
    end_offset      integer not null,
    text            varchar not null,
    body_name       varchar,
    term_number     integer,
    session_number  integer
);
