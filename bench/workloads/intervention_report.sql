-- The intervention report as PostGraphile users write a report: SQL functions in a schema that
-- PostGraphile exposes, run as the caller (row-level security applies inside them). The SQL is
-- that of db/queries/reports/work.py interventions(), by day and site; the organization's time
-- zone is read from its row, which row-level security narrows to the organization of the
-- request (pgSettings).
CREATE SCHEMA IF NOT EXISTS bench_postgraphile;
GRANT USAGE ON SCHEMA bench_postgraphile TO sportello_app;

DROP FUNCTION IF EXISTS bench_postgraphile.intervention_report(date, date);
DROP FUNCTION IF EXISTS bench_postgraphile.intervention_report_totals(date, date);
DROP TYPE IF EXISTS bench_postgraphile.intervention_row;
DROP TYPE IF EXISTS bench_postgraphile.intervention_totals;

CREATE TYPE bench_postgraphile.intervention_row AS (
  period_start date,
  group_id uuid,
  group_name text,
  total bigint,
  requested bigint,
  planned bigint,
  in_progress bigint,
  done bigint,
  cancelled bigint
);

CREATE TYPE bench_postgraphile.intervention_totals AS (total bigint, done bigint);

CREATE FUNCTION bench_postgraphile.intervention_report(since date, until date)
RETURNS SETOF bench_postgraphile.intervention_row
LANGUAGE sql STABLE
AS $$
  WITH zone AS (SELECT timezone FROM organization)
  SELECT g.period_start, g.site_id, s.name, g.total, g.requested, g.planned, g.in_progress,
    g.done, g.cancelled
  FROM (
    SELECT date_trunc('day', timezone((SELECT timezone FROM zone), i.starts_at))::date
        AS period_start,
      i.site_id,
      count(*) AS total,
      count(*) FILTER (WHERE i.status = 'REQUESTED') AS requested,
      count(*) FILTER (WHERE i.status = 'PLANNED') AS planned,
      count(*) FILTER (WHERE i.status = 'IN_PROGRESS') AS in_progress,
      count(*) FILTER (WHERE i.status = 'DONE') AS done,
      count(*) FILTER (WHERE i.status = 'CANCELLED') AS cancelled
    FROM intervention i
    WHERE i.starts_at >= timezone((SELECT timezone FROM zone), since::timestamp)
      AND i.starts_at < timezone((SELECT timezone FROM zone), (until + 1)::timestamp)
    GROUP BY 1, 2
  ) g
  JOIN site s ON s.id = g.site_id
  ORDER BY g.period_start, s.name, g.site_id
$$;

CREATE FUNCTION bench_postgraphile.intervention_report_totals(since date, until date)
RETURNS bench_postgraphile.intervention_totals
LANGUAGE sql STABLE
AS $$
  WITH zone AS (SELECT timezone FROM organization)
  SELECT count(*), count(*) FILTER (WHERE i.status = 'DONE')
  FROM intervention i
  WHERE i.starts_at >= timezone((SELECT timezone FROM zone), since::timestamp)
    AND i.starts_at < timezone((SELECT timezone FROM zone), (until + 1)::timestamp)
$$;

GRANT EXECUTE ON FUNCTION bench_postgraphile.intervention_report(date, date) TO sportello_app;
GRANT EXECUTE ON FUNCTION bench_postgraphile.intervention_report_totals(date, date)
  TO sportello_app;
