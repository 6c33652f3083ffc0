-- Click log → session dataset (the SR-GNN / GCE-GNN preprocessing that produced ../shared/datasets).
-- `pnpm train prepare` runs these steps in order on DuckDB; they are plain window-function SQL, so the same
-- file runs on Spark SQL or BigQuery for a log that outgrows one machine (README, "Your own click log").
--
-- Input, built by prepare-events.ts from the CSV/Parquet file after validating it:
--   events(session_key VARCHAR, item VARCHAR, ts BIGINT /* epoch ms */, row_id BIGINT /* 1-based file row */)
-- session_key is the --session column, or the --user column (then cut into sessions by the gap).
-- Parameters (substituted as numbers): ${gap_ms}, ${min_session_length}, ${min_item_clicks}, ${test_ms}.
-- A `-- step: t` query becomes table t; a `-- output: f` query is written to file f, one row a line.
-- Consecutive duplicate clicks are kept: the public Tmall and RetailRocket files keep them (`11 11`).

-- step: sessionized
-- A new session starts at a key's first click and after any pause longer than the gap (with --session
-- the gap is unbounded: one key, one session). Clicks at the same instant keep the file's order.
CREATE TEMP TABLE sessionized AS
SELECT
  session_key,
  SUM(new_session) OVER (
    PARTITION BY session_key ORDER BY ts, row_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  ) AS session_part,
  item,
  ts,
  row_id
FROM (
  SELECT
    session_key,
    item,
    ts,
    row_id,
    CASE WHEN ts - LAG(ts) OVER (PARTITION BY session_key ORDER BY ts, row_id) <= ${gap_ms} THEN 0 ELSE 1 END
      AS new_session
  FROM events
) AS marked;

-- The public preprocessing filters once in this order (not to a fixed point): short sessions, then rare
-- items (counted over the remaining sessions, train and test alike), then the sessions that became short.

-- step: long_sessions
CREATE TEMP TABLE long_sessions AS
SELECT session_key, session_part, item, ts, row_id
FROM (
  SELECT *, COUNT(*) OVER (PARTITION BY session_key, session_part) AS session_length FROM sessionized
) AS counted
WHERE session_length >= ${min_session_length};

-- step: frequent_items
CREATE TEMP TABLE frequent_items AS
SELECT session_key, session_part, item, ts, row_id
FROM (SELECT *, COUNT(*) OVER (PARTITION BY item) AS item_clicks FROM long_sessions) AS counted
WHERE item_clicks >= ${min_item_clicks};

-- step: clicks
CREATE TEMP TABLE clicks AS
SELECT session_key, session_part, item, ts, row_id
FROM (
  SELECT *, COUNT(*) OVER (PARTITION BY session_key, session_part) AS session_length FROM frequent_items
) AS counted
WHERE session_length >= ${min_session_length};

-- step: sessions
-- Split by time: a session that starts within the last ${test_ms} ms of the log is a test session.
CREATE TEMP TABLE sessions AS
SELECT
  session_key,
  session_part,
  MIN(ts) AS start_ts,
  CASE WHEN MIN(ts) > (SELECT MAX(ts) FROM clicks) - ${test_ms} THEN 1 ELSE 0 END AS is_test
FROM clicks
GROUP BY session_key, session_part;

-- step: train_clicks
CREATE TEMP TABLE train_clicks AS
SELECT c.session_key, c.session_part, s.start_ts, c.item, c.ts, c.row_id
FROM clicks AS c
JOIN sessions AS s ON c.session_key = s.session_key AND c.session_part = s.session_part
WHERE s.is_test = 0;

-- step: vocab
-- Ids 1…V by first appearance in training, sessions in order of their start (as SR-GNN numbers items).
CREATE TEMP TABLE vocab AS
SELECT item, ROW_NUMBER() OVER (ORDER BY first_seen) AS id
FROM (
  SELECT item, MIN(click_order) AS first_seen
  FROM (
    SELECT item, ROW_NUMBER() OVER (ORDER BY start_ts, session_key, session_part, ts, row_id) AS click_order
    FROM train_clicks
  ) AS ordered
  GROUP BY item
) AS firsts;

-- step: test_clicks
-- Test sessions keep only items seen in training, and must still be ${min_session_length} clicks long.
CREATE TEMP TABLE test_clicks AS
SELECT session_key, session_part, start_ts, id, pos
FROM (
  SELECT
    c.session_key,
    c.session_part,
    s.start_ts,
    v.id,
    ROW_NUMBER() OVER (PARTITION BY c.session_key, c.session_part ORDER BY c.ts, c.row_id) AS pos,
    COUNT(*) OVER (PARTITION BY c.session_key, c.session_part) AS session_length
  FROM clicks AS c
  JOIN sessions AS s ON c.session_key = s.session_key AND c.session_part = s.session_part
  JOIN vocab AS v ON c.item = v.item
  WHERE s.is_test = 1
) AS kept
WHERE session_length >= ${min_session_length};

-- step: train_lines
CREATE TEMP TABLE train_lines AS
SELECT
  c.session_key,
  c.session_part,
  MIN(c.start_ts) AS start_ts,
  COUNT(*) AS session_length,
  STRING_AGG(CAST(v.id AS VARCHAR), ' ' ORDER BY c.ts, c.row_id) AS line
FROM train_clicks AS c
JOIN vocab AS v ON c.item = v.item
GROUP BY c.session_key, c.session_part;

-- step: test_lines
-- Every prefix of a test session with the click that followed it, longest prefix first (as the public
-- test.txt files list them): prefix ids, TAB, label id.
CREATE TEMP TABLE test_lines AS
SELECT
  l.session_key,
  l.session_part,
  l.start_ts,
  l.pos,
  STRING_AGG(CAST(p.id AS VARCHAR), ' ' ORDER BY p.pos) || CHR(9) || CAST(l.id AS VARCHAR) AS line
FROM test_clicks AS l
JOIN test_clicks AS p ON p.session_key = l.session_key AND p.session_part = l.session_part AND p.pos < l.pos
GROUP BY l.session_key, l.session_part, l.start_ts, l.pos, l.id;

-- output: train.txt
SELECT line FROM train_lines ORDER BY start_ts, session_key, session_part;

-- output: test.txt
SELECT line FROM test_lines ORDER BY start_ts, session_key, session_part, pos DESC;

-- output: vocab.txt
SELECT item FROM vocab ORDER BY id;
