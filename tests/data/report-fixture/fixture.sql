-- fixture.sql -- a small, plausible analysis.db for `metaleak report`.
--
-- The case directory `metaleak analyze` would write for three named targets
-- watched through four chained 30-day orders (pen register and
-- trap-and-trace, snapshot mode) over the demo scenario's 120 days, in
-- population mode, with every table of docs/analyze/outputs.md.  Values are
-- made up but shaped like the analyzer's: leakage curves that rise with the
-- number of windows, a late renewal (target 2 loses 5 days to retention), a
-- gap between orders (target 3), IP locations of broadband, business,
-- Wi-Fi and cellular addresses, a trip, sensitive services, hop reach and
-- re-identification uniqueness.  Everything is derived from integer hashes
-- of the row's indices, so the file is deterministic and needs no SQLite
-- math functions.  The report's unit and CLI tests check their outputs
-- against the numbers below; change both together.
--
-- Build: sqlite3 analysis.db < fixture.sql (make-fixture.sh does that and
-- exports tables/*.csv), or ml_db_exec() with this text.

-- ---- the days of the log, the targets, their places -----------------------
-- Day 0 = 2026-01-05 (a Monday) = 1767571200 s = MlDay 20458.

CREATE TEMP TABLE nums (i INTEGER PRIMARY KEY);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 119)
INSERT INTO nums SELECT i FROM n;

CREATE TEMP TABLE tg (t INTEGER PRIMARY KEY, handle TEXT,
  home_lat REAL, home_lon REAL, work_lat REAL, work_lon REAL,
  cell_lat REAL, cell_lon REAL,     -- the carrier's egress city
  err_f REAL, share_d REAL,         -- per-target error factor and share offset
  ca REAL, sa REAL,                 -- cos/sin of the direction of location errors
  base INTEGER);                    -- lookups on an ordinary weekday
INSERT INTO tg VALUES
  (1, '+99912345670001', 40.1164, -88.2434, 40.1020, -88.2272, 39.7817, -89.6501, 0.5, 0.06, 0.766, 0.643, 14),
  (2, '+99912345670002', 39.8403, -88.9548, 39.8610, -88.9100, 40.1164, -88.2434, 1.0, 0.00, -0.940, -0.342, 9),
  (3, '+99912345670003', 40.4842, -88.9937, 40.5120, -88.9530, 40.1164, -88.2434, 1.5, -0.06, 0.500, -0.866, 18);

-- Covered days per target: target 2 loses days 60-64 to retention (its
-- third order was served 5 days late), target 3 has a gap on days 90-92.
CREATE TEMP TABLE cov (t INTEGER, d INTEGER, w INTEGER);
INSERT INTO cov SELECT t, i, i / 30 FROM tg, nums
  WHERE NOT (t = 2 AND i BETWEEN 60 AND 64) AND NOT (t = 3 AND i BETWEEN 90 AND 92);

-- ---- params, targets, orders, coverage -------------------------------------

CREATE TABLE params (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO params VALUES
  ('name', 'fixture'), ('run_dir', 'runs/demo'), ('scenario', 'demo'), ('seed', '1'),
  ('people', '5000'), ('days', '120'), ('start', '2026-01-05'), ('windows', '4'),
  ('imported', '0'), ('population', '1'), ('targets', '3'), ('case_seed', '1'), ('evidence_rows', '2857'),
  ('kind', 'both'), ('first_service', '2026-02-04'), ('window_days', '30'),
  ('extensions', '3'), ('lag_days', '0'), ('retention_days', '30'), ('mode', 'snapshot'),
  ('ip_pivot', '0'), ('hops', '2'), ('hop_limit', '5'), ('top_k', '10'),
  ('night_start_h', '22'), ('night_end_h', '6'), ('work_start_h', '9'), ('work_end_h', '17'),
  ('trip_km', '50');

CREATE TABLE targets (target TEXT, hop INTEGER);
INSERT INTO targets SELECT handle, 1 FROM tg ORDER BY t;
INSERT INTO targets VALUES ('+99912345600101', 2), ('+99912345600102', 2);

CREATE TABLE orders (target TEXT, hop INTEGER, position INTEGER, served INTEGER, expires INTEGER,
  nominal_start INTEGER, nominal_end INTEGER, returned_start INTEGER, returned_end INTEGER);
WITH o(t, handle, hop, p, served, ns, ne) AS (
  SELECT t, handle, 1, i, 1767571200 + 86400 * (30 * (i + 1) + (CASE WHEN t = 2 AND i = 2 THEN 5 ELSE 0 END)),
         1767571200 + 86400 * (30 * i + (CASE WHEN t = 3 AND i = 3 THEN 3 ELSE 0 END)),
         1767571200 + 86400 * 30 * (i + 1)
  FROM tg, nums WHERE i < 4
  UNION ALL
  SELECT 9, h, 2, i, 1767571200 + 86400 * 30 * (i + 1), 1767571200 + 86400 * 30 * i,
         1767571200 + 86400 * 30 * (i + 1)
  FROM (SELECT '+99912345600101' AS h UNION ALL SELECT '+99912345600102'), nums WHERE i < 4)
INSERT INTO orders SELECT handle, hop, p, served, served + 30 * 86400, ns, ne,
  max(ns, served - 30 * 86400), ne FROM o ORDER BY hop, t, handle, p;

CREATE TABLE coverage (target TEXT, kind TEXT, start INTEGER, "end" INTEGER);
INSERT INTO coverage VALUES
  ('+99912345670001', 'covered', 1767571200, 1767571200 + 120 * 86400),
  ('+99912345670002', 'covered', 1767571200, 1767571200 + 60 * 86400),
  ('+99912345670002', 'retention_loss', 1767571200 + 60 * 86400, 1767571200 + 65 * 86400),
  ('+99912345670002', 'covered', 1767571200 + 65 * 86400, 1767571200 + 120 * 86400),
  ('+99912345670003', 'covered', 1767571200, 1767571200 + 90 * 86400),
  ('+99912345670003', 'gap', 1767571200 + 90 * 86400, 1767571200 + 93 * 86400),
  ('+99912345670003', 'covered', 1767571200 + 93 * 86400, 1767571200 + 120 * 86400);

-- ---- daily lookups and the location timeline -------------------------------

CREATE TABLE daily (target TEXT, day TEXT, lookups INTEGER, "window" INTEGER);
INSERT INTO daily SELECT handle, date(1767571200 + 86400 * d, 'unixepoch'),
  max(1, (CASE WHEN d % 7 >= 5 THEN base * 6 / 10 ELSE base END) + ((d * 7919 + t * 104729) % 9) - 4), w
  FROM cov JOIN tg USING (t) ORDER BY t, d;

-- Own lookups: about 60 % of a day's lookups, at hours shaped like a day:
-- nights at home (broadband), weekday office hours at work (business),
-- weekend afternoons at a venue (Wi-Fi), otherwise cellular; target 1 is
-- in Chicago on days 40-41 and target 3 in St. Louis on days 70-72.
CREATE TEMP TABLE own (t INTEGER, d INTEGER, i INTEGER, hour INTEGER);
INSERT INTO own SELECT c.t, c.d, n.i,
  CASE WHEN (n.i * 13 + c.d * 7 + c.t) % 23 = 0 THEN 2 ELSE 7 + (n.i * 37 + c.d * 11 + c.t * 5) % 17 END
  FROM cov c JOIN tg USING (t) JOIN daily dl ON dl.target = tg.handle AND dl.day = date(1767571200 + 86400 * c.d, 'unixepoch')
  JOIN nums n ON n.i < (dl.lookups * 6 + 9) / 10;

CREATE TABLE timeline (target TEXT, ts INTEGER, lat REAL, lon REAL, radius_km REAL, class TEXT);
WITH p AS (
  SELECT o.*, tg.*,
    CASE
      WHEN o.t = 1 AND o.d BETWEEN 40 AND 41 THEN 'trip'
      WHEN o.t = 3 AND o.d BETWEEN 70 AND 72 THEN 'trip'
      WHEN o.hour < 8 OR o.hour >= 20 THEN 'home'
      WHEN o.d % 7 < 5 AND o.hour BETWEEN 9 AND 16 THEN 'work'
      WHEN o.d % 7 >= 5 AND o.hour BETWEEN 11 AND 16 THEN 'venue'
      ELSE 'cell' END AS where_
  FROM own o JOIN tg USING (t))
INSERT INTO timeline SELECT handle, 1767571200 + d * 86400 + hour * 3600 + (i * 617 + d * 53) % 3600,
  CASE where_ WHEN 'home' THEN home_lat + 0.021 WHEN 'work' THEN work_lat - 0.012
    WHEN 'venue' THEN home_lat + 0.06 * ((d / 7) % 3 - 1) + 0.03
    WHEN 'trip' THEN (CASE t WHEN 1 THEN 41.8781 ELSE 38.6270 END) ELSE cell_lat END,
  CASE where_ WHEN 'home' THEN home_lon - 0.018 WHEN 'work' THEN work_lon + 0.010
    WHEN 'venue' THEN home_lon + 0.08 * ((d / 7) % 3 - 1) - 0.02
    WHEN 'trip' THEN (CASE t WHEN 1 THEN -87.6298 ELSE -90.1994 END) ELSE cell_lon END,
  CASE where_ WHEN 'home' THEN 5 WHEN 'work' THEN 10 WHEN 'venue' THEN 20 WHEN 'trip' THEN 50 ELSE 100 END,
  CASE where_ WHEN 'home' THEN 'broadband' WHEN 'work' THEN 'business' WHEN 'venue' THEN 'wifi'
    ELSE 'cellular' END
  FROM p ORDER BY t, d, hour, i;

-- ---- evidence: the rows the orders returned (pen and trap) ----------------

CREATE TABLE evidence (ts INTEGER, source TEXT, lookup TEXT, client_ip TEXT, lookup_devices INTEGER,
  "window" INTEGER, hop INTEGER, via TEXT);
INSERT INTO evidence SELECT 1767571200 + o.d * 86400 + o.hour * 3600 + (o.i * 617 + o.d * 53) % 3600,
  tg.handle, printf('+999123456%05d', o.t * 100 + 1 + (o.i * 7 + o.d * 3) % 16),
  printf('10.%d.%d.%d', o.t, o.d % 200, 1 + o.i % 250), (o.i + o.d) % 3, o.d / 30, 1, 'pen'
  FROM own o JOIN tg USING (t)
  UNION ALL
  SELECT 1767571200 + c.d * 86400 + 43200 + c.t * 600, printf('+999123456%05d', c.t * 100 + 1 + c.d % 9),
  tg.handle, printf('100.64.%d.%d', c.t, c.d % 250), 1, c.w, 1, 'trap'
  FROM cov c JOIN tg USING (t) WHERE c.d % 2 = 0
  ORDER BY 1, 2, 3;

-- ---- contacts and the ego network ------------------------------------------
-- Candidates 1-16 per target: 1-12 true ties (weight 40/c), 13-14 services
-- (a pharmacy, a clinic), 15-16 numbers looked up that are not ties; 17-19
-- true ties the log never shows.  FIRST_W is the first window that shows it.

CREATE TEMP TABLE cand (t INTEGER, c INTEGER, handle TEXT, tie INTEGER, service INTEGER, first_w INTEGER);
INSERT INTO cand SELECT t, i, printf('+999123456%05d', t * 100 + i),
  i <= 12 OR i >= 17, i IN (13, 14),
  CASE WHEN i <= 5 THEN 1 WHEN i IN (11, 12) THEN 4 WHEN i = 15 THEN 2 WHEN i = 16 THEN 3
       WHEN i >= 17 THEN 99 ELSE 1 + (i * 7 + t) % 3 END
  FROM tg, nums WHERE i BETWEEN 1 AND 19;

CREATE TABLE contacts (target TEXT, n_windows INTEGER, handle TEXT, n_out INTEGER, n_in INTEGER,
  days INTEGER, bulk INTEGER, score REAL, confidence REAL, rank INTEGER, is_service INTEGER,
  reported INTEGER);
WITH w(w) AS (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4),
  s AS (SELECT tg.handle AS target, w, cand.handle, cand.c, service,
    (w - first_w + 1) * (CASE WHEN c IN (15, 16) THEN 4 ELSE 1 + 24 / c END) AS n_out,
    (w - first_w + 1) * (CASE WHEN tie THEN 12 / c ELSE 0 END) AS n_in,
    (w - first_w + 1) * (CASE WHEN c IN (15, 16) THEN 2 ELSE 1 + 10 / c END) AS days,
    CASE WHEN c = 16 THEN 1 ELSE 0 END AS bulk
  FROM cand JOIN tg USING (t), w WHERE first_w <= w),
  sc AS (SELECT *, round(0.05 * (n_out + n_in) + 0.3 * days + (CASE WHEN n_in > 0 THEN 1.0 ELSE 0 END), 3) AS score FROM s)
INSERT INTO contacts SELECT target, w, handle, n_out, n_in, days, bulk, score,
  round(score / (score + 2.2), 3),
  row_number () OVER (PARTITION BY target, w ORDER BY score DESC, handle), service,
  CASE WHEN service = 0 AND score / (score + 2.2) >= 0.5 THEN 1 ELSE 0 END
  FROM sc ORDER BY target, w, score DESC, handle;

CREATE TABLE ego_edges (target TEXT, handle TEXT, status TEXT, true_weight REAL, inferred_rank INTEGER);
INSERT INTO ego_edges SELECT tg.handle, cand.handle,
  CASE WHEN k.reported = 1 AND cand.tie THEN 'correct' WHEN k.reported = 1 THEN 'false' ELSE 'missed' END,
  CASE WHEN cand.tie THEN round(40.0 / cand.c, 3) END,
  CASE WHEN k.reported = 1 THEN k.rank END
  FROM cand JOIN tg USING (t)
  LEFT JOIN contacts k ON k.target = tg.handle AND k.handle = cand.handle AND k.n_windows = 4
  WHERE cand.tie OR k.reported = 1 ORDER BY cand.t, cand.c;

-- ---- places, trips, co-location, sensitive services, rhythm ----------------

CREATE TABLE places (target TEXT, n_windows INTEGER, kind TEXT, lat REAL, lon REAL, radius_km REAL,
  confidence REAL, support INTEGER);
WITH e(w, home_km, work_km, home_r, work_r, home_c, work_c) AS (VALUES
  (1, 3.9, 9.5, 4.0, 8.0, 0.55, 0.40), (2, 2.6, 5.1, 2.8, 6.0, 0.70, 0.55),
  (3, 2.1, 4.2, 2.2, 5.0, 0.78, 0.60), (4, 1.8, 3.6, 1.9, 4.5, 0.83, 0.65))
INSERT INTO places
  SELECT handle, w, 'home', round(home_lat + home_km * err_f * ca / 110.57, 5),
    round(home_lon + home_km * err_f * sa / (111.32 * 0.766), 5), round(home_r * err_f, 2), home_c, 18 * w
  FROM tg, e
  UNION ALL
  SELECT handle, w, 'work', round(work_lat - work_km * err_f * sa / 110.57, 5),
    round(work_lon + work_km * err_f * ca / (111.32 * 0.766), 5), round(work_r * err_f, 2), work_c, 14 * w
  FROM tg, e ORDER BY 1, 2, 3;

CREATE TABLE truth_places (target TEXT, kind TEXT, lat REAL, lon REAL, hours REAL);
INSERT INTO truth_places
  SELECT handle, 'home', home_lat, home_lon, 1850 FROM tg UNION ALL
  SELECT handle, 'work', work_lat, work_lon, 720 FROM tg UNION ALL
  SELECT handle, 'visit', home_lat + 0.06 * (i - 1) + 0.03, home_lon + 0.08 * (i - 1) - 0.02, 12 + 4 * i
    FROM tg, nums WHERE i < 3 UNION ALL
  SELECT '+99912345670001', 'visit', 41.8781, -87.6298, 40 UNION ALL
  SELECT '+99912345670003', 'visit', 38.6270, -90.1994, 60
  ORDER BY 1, 2;

CREATE TABLE trips (target TEXT, n_windows INTEGER, start INTEGER, "end" INTEGER, lat REAL, lon REAL,
  km_from_home REAL, city TEXT);
INSERT INTO trips SELECT '+99912345670001', i, 1767571200 + 40 * 86400 + 28800, 1767571200 + 41 * 86400 + 79200,
    41.8781, -87.6298, 204.6, 'Chicago' FROM nums WHERE i BETWEEN 2 AND 4
  UNION ALL SELECT '+99912345670003', i, 1767571200 + 70 * 86400 + 25200, 1767571200 + 72 * 86400 + 75600,
    38.6270, -90.1994, 226.3, 'St. Louis' FROM nums WHERE i BETWEEN 3 AND 4;

CREATE TABLE colocation (target TEXT, n_windows INTEGER, handle TEXT, kind TEXT, shared_hours INTEGER,
  shared_days INTEGER, confidence REAL);
INSERT INTO colocation SELECT handle, i, printf('+999123457%05d', t * 100 + 1), 'household', 60 * i, 25 * i,
    0.6 + 0.08 * i FROM tg, nums WHERE i BETWEEN 1 AND 4
  UNION ALL SELECT handle, i, printf('+999123457%05d', t * 100 + 2), 'coworker', 20 * i, 12 * i, 0.45 + 0.1 * i
    FROM tg, nums WHERE i BETWEEN 2 AND 4 AND t <> 2
  ORDER BY 1, 2, 3;

CREATE TABLE sensitive (target TEXT, n_windows INTEGER, category TEXT, lookups INTEGER, services INTEGER,
  first INTEGER);
WITH s(t, category, first_w, per_w, services, first_d) AS (VALUES
  (1, 'health', 1, 3, 1, 9), (1, 'pharmacy', 2, 2, 1, 37), (1, 'financial', 1, 4, 2, 2),
  (2, 'health', 3, 2, 1, 66), (3, 'financial', 1, 2, 1, 12), (3, 'pharmacy', 2, 1, 1, 44))
INSERT INTO sensitive SELECT handle, i, category, per_w * (i - first_w + 1), services,
  1767571200 + first_d * 86400 + 36000 FROM s JOIN tg USING (t), nums
  WHERE i BETWEEN first_w AND 4 ORDER BY 1, 2, 3;

CREATE TABLE sensitive_truth (target TEXT, category TEXT, true_contacts INTEGER, found INTEGER);
INSERT INTO sensitive_truth SELECT handle, v.column2, v.column3, v.column4 FROM (VALUES
  (1, 'health', 1, 1), (1, 'pharmacy', 1, 1), (1, 'financial', 2, 1), (1, 'legal', 1, 0),
  (2, 'health', 1, 1), (2, 'religious', 1, 0), (3, 'financial', 1, 1), (3, 'pharmacy', 1, 1),
  (3, 'firearms', 1, 0)) AS v JOIN tg ON tg.t = v.column1 ORDER BY v.column1, v.column2;

CREATE TABLE rhythm (target TEXT, weekday INTEGER, hour INTEGER, lookups INTEGER);
INSERT INTO rhythm SELECT handle, d % 7 + 1, hour, count(*) FROM own JOIN tg USING (t)
  GROUP BY handle, d % 7 + 1, hour ORDER BY 1, 2, 3;

CREATE TABLE rhythm_sleep (target TEXT, sleep_start_h REAL, sleep_end_h REAL, confidence REAL);
INSERT INTO rhythm_sleep VALUES ('+99912345670001', 23.5, 6.5, 0.82),
  ('+99912345670002', 0.0, 7.0, 0.74), ('+99912345670003', 23.0, 6.0, 0.79);

-- ---- hops and population mode ----------------------------------------------

CREATE TABLE hops (n_windows INTEGER, hop INTEGER, reached INTEGER, added INTEGER, top_hub TEXT,
  top_hub_is_service INTEGER);
INSERT INTO hops VALUES
  (1, 1, 38, 38, '+99912345600101', 0), (1, 2, 180, 142, '+99912345600113', 1), (1, 3, 2100, 1920, '+99912345880001', 1),
  (2, 1, 45, 45, '+99912345600101', 0), (2, 2, 350, 305, '+99912345600113', 1), (2, 3, 3900, 3550, '+99912345880001', 1),
  (3, 1, 48, 48, '+99912345600101', 0), (3, 2, 470, 422, '+99912345600113', 1), (3, 3, 5200, 4730, '+99912345880001', 1),
  (4, 1, 51, 51, '+99912345600101', 0), (4, 2, 560, 509, '+99912345600113', 1), (4, 3, 6100, 5540, '+99912345880001', 1);

CREATE TABLE uniqueness (k INTEGER, share_unique REAL, people INTEGER);
INSERT INTO uniqueness VALUES (1, 0.08, 5000), (2, 0.54, 5000), (3, 0.81, 5000), (4, 0.93, 5000),
  (5, 0.97, 5000), (6, 0.98, 5000), (8, 0.99, 5000);

CREATE TABLE homework_unique (scale_km REAL, share_unique REAL, people INTEGER);
INSERT INTO homework_unique VALUES (0.5, 0.62, 3000), (1, 0.48, 3000), (2, 0.31, 3000), (5, 0.12, 3000),
  (10, 0.05, 3000), (25, 0.01, 3000);

CREATE TABLE population_graph (n_windows INTEGER, metric TEXT, value REAL);
INSERT INTO population_graph SELECT i, column1, round(column2 + column3 * (i - 1), 3)
  FROM nums, (VALUES ('edges', 21000.0, 9000.0), ('precision', 0.55, 0.04), ('recall', 0.41, 0.12))
  WHERE i BETWEEN 1 AND 4 ORDER BY 1, 2;

-- ---- metrics: the leakage curves -------------------------------------------
-- Scope 'all' of a share is the mean over the targets (per target: the
-- curve plus SHARE_D, which sums to 0); of a distance the median (per
-- target: the curve times ERR_F, whose middle value is 1).

CREATE TABLE metrics (n_windows INTEGER, scope TEXT, metric TEXT, value REAL);
CREATE TEMP TABLE curve (metric TEXT, kind TEXT, w1 REAL, w2 REAL, w3 REAL, w4 REAL);
INSERT INTO curve VALUES
  ('contacts_recall', 'share', 0.46, 0.66, 0.77, 0.84),
  ('contacts_precision', 'share', 0.62, 0.67, 0.69, 0.70),
  ('top5_recall', 'share', 0.72, 0.86, 0.90, 0.93),
  ('lookups_not_messaged', 'share', 0.24, 0.22, 0.21, 0.20),
  ('coloc_household_precision', 'share', 0.50, 0.67, 0.75, 0.75),
  ('coloc_household_recall', 'share', 0.33, 0.50, 0.67, 0.67),
  ('coloc_coworker_precision', 'share', 0.40, 0.50, 0.50, 0.60),
  ('coloc_coworker_recall', 'share', 0.20, 0.30, 0.40, 0.45),
  ('sensitive_recall', 'share', 0.35, 0.52, 0.63, 0.70),
  ('trips_recall', 'share', 0.00, 0.50, 0.50, 0.67),
  ('home_error_km', 'km', 3.9, 2.6, 2.1, 1.8),
  ('work_error_km', 'km', 9.5, 5.1, 4.2, 3.6);
CREATE TEMP TABLE per (w INTEGER, t INTEGER, metric TEXT, value REAL);
INSERT INTO per SELECT i, t, metric,
  round(CASE kind WHEN 'km' THEN v * err_f ELSE min(1.0, max(0.0, v + share_d)) END, 4)
  FROM (SELECT metric, kind, 1 AS i, w1 AS v FROM curve UNION ALL SELECT metric, kind, 2, w2 FROM curve
        UNION ALL SELECT metric, kind, 3, w3 FROM curve UNION ALL SELECT metric, kind, 4, w4 FROM curve), tg;
INSERT INTO per SELECT w, t, 'contacts_f1',
  round(2 * r.value * p.value / (r.value + p.value), 4) FROM per r JOIN per p USING (w, t)
  WHERE r.metric = 'contacts_recall' AND p.metric = 'contacts_precision';
INSERT INTO per SELECT w, t, 'home_within_1km', value <= 1 FROM per WHERE metric = 'home_error_km'
  UNION ALL SELECT w, t, 'home_within_10km', value <= 10 FROM per WHERE metric = 'home_error_km'
  UNION ALL SELECT w, t, 'work_within_1km', value <= 1 FROM per WHERE metric = 'work_error_km'
  UNION ALL SELECT w, t, 'work_within_10km', value <= 10 FROM per WHERE metric = 'work_error_km'
  UNION ALL SELECT w, t, 'home_found', 1 FROM per WHERE metric = 'home_error_km'
  UNION ALL SELECT w, t, 'work_found', 1 FROM per WHERE metric = 'work_error_km'
  UNION ALL SELECT n, t, 'covered_days', count(*) FROM cov JOIN (SELECT i AS n FROM nums WHERE i BETWEEN 1 AND 4)
    ON cov.w < n GROUP BY n, t
  UNION ALL SELECT w, t, 'gap_days', CASE WHEN t = 3 AND w = 4 THEN 3 ELSE 0 END
    FROM tg, (SELECT i AS w FROM nums WHERE i BETWEEN 1 AND 4)
  UNION ALL SELECT w, t, 'retention_lost_days', CASE WHEN t = 2 AND w >= 3 THEN 5 ELSE 0 END
    FROM tg, (SELECT i AS w FROM nums WHERE i BETWEEN 1 AND 4);
INSERT INTO metrics SELECT w, handle, metric, value FROM per JOIN tg USING (t);
INSERT INTO metrics SELECT w, 'all', metric,
  CASE WHEN metric LIKE '%error_km' THEN (SELECT p2.value FROM per p2 WHERE p2.w = per.w
       AND p2.metric = per.metric ORDER BY p2.value LIMIT 1 OFFSET 1)
       ELSE round(avg(value), 4) END
  FROM per GROUP BY w, metric;
INSERT INTO metrics SELECT i, 'all', x.column2, x.column3 FROM nums JOIN (VALUES
  (1, 'hop_reach_2', 180), (2, 'hop_reach_2', 350), (3, 'hop_reach_2', 470), (4, 'hop_reach_2', 560),
  (1, 'hop_reach_3', 2100), (2, 'hop_reach_3', 3900), (3, 'hop_reach_3', 5200), (4, 'hop_reach_3', 6100),
  (1, 'true_reach_2', 310), (2, 'true_reach_2', 310), (3, 'true_reach_2', 310), (4, 'true_reach_2', 310),
  (1, 'true_reach_3', 5200), (2, 'true_reach_3', 5200), (3, 'true_reach_3', 5200), (4, 'true_reach_3', 5200))
  AS x ON nums.i = x.column1;
