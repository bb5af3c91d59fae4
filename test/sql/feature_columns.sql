-- Feature columns: independent_varname as a list of columns ('a, b, flag') or '*'
-- (every column but the label, the grouping columns and those excluded). Numbers of every
-- kind, booleans and float8[]/real[] arrays are read straight from the heap tuple (the
-- fast path); the composed path reads the same values through one float8[] expression.
SET search_path = public, corgi;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- 6,000 rows, label-sorted, every feature type; 60 rows have a NULL feature.
SELECT setseed(0.17);
CREATE TABLE mixed (id integer, label boolean, a float8, b real, c integer, d numeric, e boolean,
                    f bigint, s smallint, arr float8[], arr4 real[], note text, seen date)
    WITH (autovacuum_enabled = false);
INSERT INTO mixed
SELECT g, g > 3000,
       (CASE WHEN g > 3000 THEN 0.8 ELSE -0.8 END) + random() - 0.5,
       (random() - 0.5)::real,
       (g % 7) - 3,
       round(((CASE WHEN g > 3000 THEN 0.5 ELSE -0.5 END) + random() - 0.5)::numeric, 4),
       g % 3 = 0,
       (g % 5) - 2,
       (g % 4)::smallint,
       ARRAY[random() - 0.5, (CASE WHEN g > 3000 THEN 0.3 ELSE -0.3 END) + random() - 0.5],
       ARRAY[(random() - 0.5)::real],
       'row ' || g, date '2026-01-01' + g % 7
FROM generate_series(1, 6000) g ORDER BY g > 3000, g;
UPDATE mixed SET a = NULL WHERE id % 100 = 1;
-- The same numbers, every attribute of a fixed length (read in place, no deforming).
CREATE TABLE fixed AS SELECT id, label, a, b, c, f, s, e FROM mixed ORDER BY id > 3000, id;
\set params '''learning_rate=0.2, block_mb=0.03125, seed=11'''

-- How a list is resolved: canonical names, the expression, whether the fast path reads it.
SELECT columns, fast FROM corgi._feature_columns('mixed', 'a, B, "c", d, e, arr');
SELECT expression FROM corgi._feature_columns('mixed', 'a, e, arr, b');
SELECT columns, fast FROM corgi._feature_columns('mixed', '*', 'id, note, seen', 'label');
SELECT columns, fast FROM corgi._feature_columns('mixed', 'a');             -- one number: a list of one
SELECT columns IS NULL AS classic FROM corgi._feature_columns('mixed', 'arr');   -- one array: as before
SELECT columns IS NULL AS expression FROM corgi._feature_columns('mixed', 'ARRAY[a, b]');
SELECT columns, fast FROM corgi._feature_columns('mixed', 'a, c, arr, arr4');

-- The centers and scales of a heap table, read from its pages, are the aggregates' own
-- (float8_accum's sums in the table's order), so a query of the table gives the same list.
SET max_parallel_workers_per_gather = 0;
SELECT corgi._column_moments('mixed', 'a, b, c, d, e, f, s')
     = (SELECT ARRAY[
           avg(a::float8), stddev_pop(a::float8), count(a)::float8 / greatest(count(*), 1),
           avg(b::float8), stddev_pop(b::float8), count(b)::float8 / greatest(count(*), 1),
           avg(c::float8), stddev_pop(c::float8), count(c)::float8 / greatest(count(*), 1),
           avg(d::float8), stddev_pop(d::float8), count(d)::float8 / greatest(count(*), 1),
           avg(e::int::float8), stddev_pop(e::int::float8), count(e)::float8 / greatest(count(*), 1),
           avg(f::float8), stddev_pop(f::float8), count(f)::float8 / greatest(count(*), 1),
           avg(s::float8), stddev_pop(s::float8), count(s)::float8 / greatest(count(*), 1)]
        FROM mixed) AS same_as_the_aggregates;
-- ... also where rows are read in place (every attribute of a fixed length; the rows
-- with a NULL are deformed).
SELECT corgi._column_moments('fixed', 'a, b, c, f, s, e')
     = (SELECT ARRAY[avg(a::float8), stddev_pop(a::float8), count(a)::float8 / greatest(count(*), 1),
                     avg(b::float8), stddev_pop(b::float8), count(b)::float8 / greatest(count(*), 1),
                     avg(c::float8), stddev_pop(c::float8), count(c)::float8 / greatest(count(*), 1),
                     avg(f::float8), stddev_pop(f::float8), count(f)::float8 / greatest(count(*), 1),
                     avg(s::float8), stddev_pop(s::float8), count(s)::float8 / greatest(count(*), 1),
                     avg(e::int::float8), stddev_pop(e::int::float8), count(e)::float8 / greatest(count(*), 1)]
        FROM fixed) AS in_place_same_as_the_aggregates;
-- Sums that leave the finite numbers (the rows in place are summed without checks, and
-- read again with float8_accum's checks when a sum is not finite): NaN, infinity and the
-- overflow error as the aggregates give them.
CREATE TABLE far (a float8, b float8, c float8);
INSERT INTO far SELECT g, CASE WHEN g = 3 THEN 'infinity' ELSE g END, CASE WHEN g = 4 THEN 'nan' ELSE g END
  FROM generate_series(1, 6) s, LATERAL (SELECT s::float8 AS g) x;
SELECT corgi._column_moments('far', 'a, b, c')::text
     = (SELECT ARRAY[avg(a), stddev_pop(a), 1, avg(b), stddev_pop(b), 1, avg(c), stddev_pop(c), 1]::text FROM far)
       AS far_same_as_the_aggregates;
INSERT INTO far VALUES (1e308, 1, 1), (1e308, 1, 1);
SELECT corgi._column_moments('far', 'a, b, c');
SELECT avg(a) FROM far;
DROP TABLE far;
RESET max_parallel_workers_per_gather;
SELECT corgi._column_moments('mixed', 'a, note');

-- Errors name the column.
SELECT * FROM corgi._feature_columns('mixed', 'a, nope');
SELECT * FROM corgi._feature_columns('mixed', 'a, seen');
SELECT * FROM corgi._feature_columns('mixed', '*', 'id, nope');
SELECT * FROM corgi._feature_columns('mixed', '*');
SELECT * FROM corgi._feature_columns('mixed', '*', 'id, a, b, c, d, e, f, s, arr, arr4, note, seen', 'label');
SELECT * FROM corgi.train('mixed', 'm_bad', 'label', '*', 'logistic', 1);
SELECT * FROM corgi.train('mixed', 'm_bad', 'label', 'a, b, nope', 'logistic', 1);
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'm_bad%';

-- A list on the fast path: rows with a NULL feature are skipped (counted); the numbers
-- are standardized (their centers and scales kept in the summary's list); the same list
-- through the composed path (an expression as label) gives the same model bit for bit:
-- the fast path decodes and scales as SQL's casts and arithmetic do.
SELECT epochs_run, rows_per_epoch FROM corgi.train('mixed', 'm_list', 'label', 'a, b, c, d, e, f, s, arr, arr4', 'logistic', 2, 'corgipile', :params);
SELECT training_path, independent_varname, num_rows_skipped FROM m_list_summary;
SELECT epochs_run, rows_per_epoch FROM corgi.train('mixed', 'm_list_composed', 'label OR false', 'a, b, c, d, e, f, s, arr, arr4', 'logistic', 2, 'corgipile', :params);
SELECT training_path, (SELECT model FROM m_list) = (SELECT model FROM m_list_composed) AS bit_identical
FROM m_list_composed_summary;
-- Unstandardized (standardize=false), it equals the expression a user would write by hand.
SELECT epochs_run FROM corgi.train('mixed', 'm_raw', 'label', 'a, b, c, d, e, f, s, arr, arr4', 'logistic', 2, 'corgipile',
                                   'learning_rate=0.2, block_mb=0.03125, seed=11, standardize=false');
SELECT independent_varname, params ~ 'standardize=false' AS recorded FROM m_raw_summary;
SELECT epochs_run FROM corgi.train('mixed', 'm_by_hand', 'label OR false',
    'CASE WHEN a IS NOT NULL THEN ARRAY[a, b, c, d, e::int, f, s]::float8[] || arr || arr4::float8[] END', 'logistic', 2, 'corgipile',
    'learning_rate=0.2, block_mb=0.03125, seed=11, standardize=false');
SELECT (SELECT model FROM m_raw) = (SELECT model FROM m_by_hand) AS same_as_expression;

-- '*' with excluded: the same columns as the list, the same model.
SELECT epochs_run FROM corgi.train('mixed', 'm_star', 'label', '*', 'logistic', 2, 'corgipile', :params, excluded => 'id, note, seen');
SELECT (SELECT independent_varname FROM m_star_summary) AS star_columns,
       (SELECT model FROM m_list) = (SELECT model FROM m_star) AS same_as_list;

-- Columns read in place (every attribute of fixed length) and through a deformed tuple
-- (a NULL in the row, or a text column before them) give the same values.
SELECT epochs_run FROM corgi.train('fixed', 'm_fixed', 'label', 'a, b, c, f, s, e', 'logistic', 2, 'corgipile', :params);
SELECT epochs_run FROM corgi.train('fixed', 'm_fixed_composed', 'label OR false', 'a, b, c, f, s, e', 'logistic', 2, 'corgipile', :params);
SELECT (SELECT model FROM m_fixed) = (SELECT model FROM m_fixed_composed) AS in_place_bit_identical,
       (SELECT num_rows_skipped FROM m_fixed_summary) AS skipped;

-- Evaluation and prediction read the model's columns; fast and composed agree.
SELECT rows, round(accuracy::numeric, 3) AS accuracy, accuracy > 0.9 AS accurate FROM corgi.evaluate('m_list', 'mixed');
CREATE VIEW mixed_view AS SELECT * FROM mixed;
SELECT (SELECT row(rows, loss, accuracy, auc) FROM corgi.evaluate('m_list', 'mixed'))
     = (SELECT row(rows, loss, accuracy, auc) FROM corgi.evaluate('m_list', 'mixed_view')) AS evaluate_paths_agree;
SELECT corgi.predict_table('m_list', 'mixed', 'id', 'm_list_scored') AS scored;
SELECT count(*) FILTER (WHERE (class = 'true') = label) * 1.0 / count(*) > 0.9 AS predictions_accurate
FROM m_list_scored JOIN mixed USING (id);

-- Grouped: '*' leaves the grouping column out; each group's model is the group's own.
-- (One array among the columns: the names of its elements are known; with two, their
-- widths are not, and feature_names is NULL.)
SELECT epochs_run FROM corgi.train('mixed', 'm_grouped', 'label', '*', 'logistic', 2, 'corgipile', :params,
                                   grouping_cols => 's', excluded => 'id, note, seen, arr4');
SELECT independent_varname FROM m_grouped_summary;
SELECT count(*) AS groups, count(DISTINCT feature_names) AS one_list_of_names, min(cardinality(feature_names)) AS names
FROM m_grouped;
SELECT count(*) AS groups_scored, bool_and(accuracy > 0.85) AS groups_accurate
FROM corgi.evaluate('m_grouped', 'mixed') WHERE group_key IS NOT NULL;

-- fit_multiple over the columns: each config's model replays alone with its params.
CREATE TABLE two_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.1, 0.3], block_mb=[0.03125]');
SELECT configs_trained FROM corgi.fit_multiple('mixed', 'm_multi', 'label', 'a, b, c, d, e, f, s, arr', 'two_configs', 2,
                                               params => 'seed=11, segments=4, workers=0');
SELECT independent_varname FROM m_multi_summary;
SELECT config_id, feature_names[1:3] AS first_names, cardinality(coef) = cardinality(feature_names) AS one_name_per_coefficient,
       independent_varname ~ '^a \(center' AS own_list
FROM m_multi ORDER BY config_id;

SELECT epochs_run FROM corgi.train('mixed', 'm_replay', 'label', 'a, b, c, d, e, f, s, arr', 'logistic', 2, 'corgipile',
                                   (SELECT params FROM m_multi WHERE config_id = 2));
SELECT (SELECT model FROM m_multi WHERE config_id = 2) = (SELECT model FROM m_replay) AS replays_alone;
-- evaluate reads a config's own list (its centers and scales), not the call's words.
SELECT e.rows, e.accuracy > 0.9 AS accurate,
       e.loss = (SELECT loss FROM corgi.evaluate('m_replay', 'mixed')) AS same_as_its_replay
FROM corgi.evaluate('m_multi', 'mixed', config_id => 2) e;

-- Privileges: SELECT on the listed columns and the label is enough; one column short is not.
CREATE ROLE corgi_fc_reader;
GRANT SELECT (label, a, b) ON mixed TO corgi_fc_reader;
GRANT CREATE ON SCHEMA public TO corgi_fc_reader;
GRANT USAGE ON SCHEMA corgi TO corgi_fc_reader;
SET ROLE corgi_fc_reader;
SELECT epochs_run FROM corgi.train('mixed', 'm_reader', 'label', 'a, b', 'logistic', 1, 'corgipile', :params);
SELECT corgi.train_pass('mixed', 'a, b, c', 'label', corgi.sgd_state('logistic', 3, 10, ''));
RESET ROLE;
DROP TABLE m_reader, m_reader_summary;
REVOKE ALL ON SCHEMA public FROM corgi_fc_reader;
REVOKE ALL ON SCHEMA corgi FROM corgi_fc_reader;
REVOKE ALL ON mixed FROM corgi_fc_reader;
DROP ROLE corgi_fc_reader;

-- Rows out: the model reads its columns from a whole row, by name; the same predictions
-- as the array form; a row with a NULL feature predicts NULL; a missing column is named.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE corgi.predict_proba('m_raw', m) = corgi.predict_proba('m_raw',
           CASE WHEN a IS NOT NULL THEN ARRAY[a, b, c, d, e::int, f, s]::float8[] || arr || arr4::float8[] END)) AS same_as_array,
       count(*) FILTER (WHERE corgi.predict('m_list', m) IS NULL) AS null_predictions
FROM mixed m;
-- A standardized model's rows are scaled as in training: the same probabilities as the
-- composed path's expression of its list gives to the model's bytes (which take the
-- model's own inputs). The array form of a table model takes the columns' raw values;
-- with arrays among the columns it cannot tell them apart, and asks for the row.
SELECT format($q$SELECT count(*) FILTER (WHERE corgi.predict_proba('m_list', m) = corgi.model_predict_proba(l.model, %s)) AS same_as_its_expression
                 FROM mixed m, m_list l WHERE a IS NOT NULL$q$,
              (corgi._feature_columns('mixed', (SELECT independent_varname FROM m_list_summary))).expression) \gexec
\set VERBOSITY terse
SELECT corgi.predict('m_list', ARRAY[a, b, c, d, e::int, f, s]::float8[] || arr || arr4::float8[]) FROM mixed WHERE a IS NOT NULL LIMIT 1;
\set VERBOSITY default
SELECT count(*) FILTER (WHERE corgi.predict_label('m_list', m) = label::text) * 1.0 / count(corgi.predict_label('m_list', m)) > 0.9 AS labels_accurate,
       bool_and(abs(p[1] + p[2] - 1) < 1e-12) AS probabilities_sum_to_one
FROM (SELECT m.*, corgi.predict_proba('m_list', m) AS p FROM mixed m WHERE a IS NOT NULL) m;
-- Columns at fixed offsets (read in place) and deformed rows agree.
SELECT count(*) FILTER (WHERE corgi.predict('m_fixed', x) = corgi.predict('m_fixed', ARRAY[a, b, c, f, s, e::int]::float8[])) AS same_in_place,
       count(*) AS rows FROM fixed x WHERE a IS NOT NULL;
-- Another table's rows, with the columns in another order, are read by name.
CREATE TABLE reordered AS SELECT e, s, f, c, b, a, id FROM fixed;
SELECT count(*) FILTER (WHERE corgi.predict('m_fixed', r) = corgi.predict('m_fixed', ARRAY[a, b, c, f, s, e::int]::float8[])) AS by_name
FROM reordered r WHERE a IS NOT NULL;
SELECT corgi.predict('m_fixed', r) FROM (SELECT a, b, c FROM fixed LIMIT 1) r;
SELECT corgi.predict('m_fixed', r) FROM (SELECT a, b::text AS b, c, f, s, e FROM fixed LIMIT 1) r;
SELECT corgi.predict('m_by_hand', m) FROM mixed m LIMIT 1;
SELECT corgi.predict('m_fixed', ROW(1, 2)) IS NULL AS anonymous_record;

-- A list read back from a summary runs nothing: a crafted level is a string literal
-- (quoted again when the expression is built), anything that is not a list is refused.
CREATE TABLE fc_crafted AS SELECT * FROM m_list;
CREATE TABLE fc_crafted_summary AS SELECT * FROM m_list_summary;
UPDATE fc_crafted_summary SET independent_varname = 'note (levels [''x''''); DROP TABLE mixed; --''])';
SELECT (corgi._feature_columns('mixed', (SELECT independent_varname FROM fc_crafted_summary))).expression;
SELECT rows FROM corgi.evaluate('fc_crafted', 'mixed');
UPDATE fc_crafted_summary SET independent_varname = 'a); DROP TABLE mixed; --';
SELECT rows FROM corgi.evaluate('fc_crafted', 'mixed');
SELECT corgi.predict('fc_crafted', m) FROM mixed m LIMIT 1;
SELECT count(*) AS mixed_still_there FROM mixed;

-- The planner passes a table's columns one by one instead of building a row value
-- (corgi._predict_fields), where no join can make the row NULL; the same answers as the
-- row form, a dropped column skipped, an outer join's NULL row still NULL.
EXPLAIN (VERBOSE, COSTS OFF) SELECT corgi.predict('m_fixed', x) FROM fixed x;
EXPLAIN (VERBOSE, COSTS OFF) SELECT corgi.predict('m_fixed', x) FROM fixed x LEFT JOIN (SELECT 1 AS one) z ON true;
SELECT count(*) FILTER (WHERE p1 = p2) AS same, count(*) FILTER (WHERE p1 IS NULL) AS null_predictions, count(*) AS rows
FROM (SELECT x.id, corgi.predict_proba('m_list', x) AS p1 FROM mixed x) a
JOIN (SELECT x.id, corgi.predict_proba('m_list', x) AS p2 FROM mixed x LEFT JOIN (SELECT 1 AS one) z ON true) b USING (id);
CREATE TABLE fixed_dropped AS SELECT id AS gone, * FROM fixed;
ALTER TABLE fixed_dropped DROP COLUMN gone;
EXPLAIN (VERBOSE, COSTS OFF) SELECT corgi.predict_proba('m_fixed', d) FROM fixed_dropped d;
CREATE TABLE fd_pred AS SELECT id, corgi.predict_proba('m_fixed', d) AS p FROM fixed_dropped d;
CREATE TABLE fx_pred AS SELECT id, corgi.predict_proba('m_fixed', x) AS p FROM fixed x;
SELECT count(*) FILTER (WHERE a.p = b.p) AS same_with_a_dropped_column, count(a.p) AS predicted, count(*) AS rows
FROM fd_pred a JOIN fx_pred b USING (id);
SELECT corgi.predict('m_fixed', x) IS NULL AS null_row_predicts_null FROM (SELECT 1) z LEFT JOIN fixed x ON false;

-- Every feature a float8 column: the fields form reads the arguments in one loop, from the
-- argument array itself when the features' columns are side by side at the end of the row
-- (p, q, r) and through the list when they are not (r, p, with columns between); the same
-- bits as the row form (through a join) and the array form, standardized or not, and NULL
-- where a feature is NULL (an array with a NULL is an error: not asked).
CREATE TABLE floats AS SELECT g AS id, (g % 2 = 0) AS label, ((g % 7) * 1.5 + (g % 2))::float8 AS p,
       ((g % 5) * 100.0)::float8 AS q, (g * 0.001)::float8 AS gap,
       CASE WHEN g % 50 = 0 THEN NULL ELSE ((g % 3) - 1.0 + (g % 2))::float8 END AS r
FROM generate_series(1, 600) g;
ALTER TABLE floats DROP COLUMN gap;   -- p, q, r: side by side among the fields (a dropped column passes none)
SELECT 1 FROM corgi.train('floats', 'fl_side', 'label', 'p, q, r', 'logistic', 3, params => :params);
SELECT 1 FROM corgi.train('floats', 'fl_apart', 'label', 'r, p', 'logistic', 3, params => :params);
SELECT 1 FROM corgi.train('floats', 'fl_raw', 'label', 'p, q, r', 'logistic', 3, params => :params || ', standardize=false');
CREATE TABLE floats_shuffled AS SELECT r, id, q, label, p FROM floats;
SELECT m, count(*) FILTER (WHERE fields = whole_row AND fields = by_array) AS same, count(fields) AS predicted,
       count(*) FILTER (WHERE fields IS NULL AND whole_row IS NULL AND by_array IS NULL) AS null_predictions, count(*) AS rows
FROM (SELECT 'fl_side' AS m, f.id, corgi.predict('fl_side', f) AS fields FROM floats f
      UNION ALL SELECT 'fl_apart', f.id, corgi.predict('fl_apart', f) FROM floats f
      UNION ALL SELECT 'fl_raw', f.id, corgi.predict('fl_raw', f) FROM floats f
      UNION ALL SELECT 'fl_side (reordered)', f.id, corgi.predict('fl_side', f) FROM floats_shuffled f) a
JOIN (SELECT f.id, corgi.predict('fl_side', f) AS side_row, corgi.predict('fl_apart', f) AS apart_row,
             corgi.predict('fl_raw', f) AS raw_row,
             CASE WHEN r IS NOT NULL THEN corgi.predict('fl_side', ARRAY[p, q, r]) END AS side_array,
             CASE WHEN r IS NOT NULL THEN corgi.predict('fl_apart', ARRAY[r, p]) END AS apart_array,
             CASE WHEN r IS NOT NULL THEN corgi.predict('fl_raw', ARRAY[p, q, r]) END AS raw_array
      FROM floats f LEFT JOIN (SELECT 1 AS one) z ON true) b USING (id)
CROSS JOIN LATERAL (SELECT CASE WHEN m = 'fl_apart' THEN apart_row WHEN m = 'fl_raw' THEN raw_row ELSE side_row END AS whole_row,
                           CASE WHEN m = 'fl_apart' THEN apart_array WHEN m = 'fl_raw' THEN raw_array ELSE side_array END AS by_array) c
GROUP BY m ORDER BY m;
EXPLAIN (VERBOSE, COSTS OFF) SELECT corgi.predict('fl_apart', f) FROM floats f;

-- Two arrays beside a standardized number: the arrays' widths come from the source's
-- first row with both, so the names are given and the number's coefficient is in its own
-- units (0.8.0 gave no names and left the coefficients as the model holds them).
CREATE TABLE two_arrays AS SELECT g AS id, ARRAY[g % 7, g % 5]::float8[] AS a, ARRAY[g % 3]::float8[] AS b,
       (g % 11) * 100.0 AS n, (g % 7) + 2 * (g % 3) + 0.01 * (g % 11) * 100.0 AS y FROM generate_series(1, 2000) g;
SELECT epochs_run FROM corgi.train('two_arrays', 'two_arrays_m', 'y', 'a, n, b', 'linear', 20,
                                   params => 'solver=sgd, learning_rate=0.01');
SELECT feature_names, round(coef[3]::numeric, 6) AS n_coef_in_its_units FROM two_arrays_m;
SELECT max(abs(corgi.predict('two_arrays_m', t) - (m.intercept[1] + m.coef[1] * a[1] + m.coef[2] * a[2] + m.coef[3] * n
                                                   + m.coef[4] * b[1]))) < 1e-9 AS coefficients_in_original_units
FROM two_arrays t, two_arrays_m m;

-- A grouped fit_multiple whose configs keep different lists (one standardized, one not):
-- each config's coefficients are converted by its own list (0.8.0 used the first
-- config's for all), so each reproduces its model's scores from the raw values.
CREATE TABLE gfm AS SELECT g AS id, g % 2 AS grp, (g % 13) * 10.0 AS a, (g % 7)::float8 AS b,
       ((g % 13) * 10.0 + (g % 7) * 5 + (g % 3) * 20) > 90 AS label FROM generate_series(1, 3000) g;
CREATE TABLE gfm_cfg (config_id int, model text, params text);
INSERT INTO gfm_cfg VALUES (1, 'logistic', 'learning_rate=0.1'), (2, 'logistic', 'learning_rate=0.1, standardize=false');
SELECT configs_trained FROM corgi.fit_multiple('gfm', 'gfm_out', 'label', 'a, b', 'gfm_cfg', 3, params => 'workers=0',
                                               grouping_cols => 'grp');
SELECT o.config_id, count(DISTINCT o.grp) AS groups,
       max(abs((corgi.model_scores(o.model, CASE WHEN o.config_id = 1 THEN ARRAY[(t.a - c.ca) * c.ia, (t.b - c.cb) * c.ib]
                                                 ELSE ARRAY[t.a, t.b] END))[1]
               - (o.intercept[1] + o.coef[1] * t.a + o.coef[2] * t.b))) < 1e-9 AS coefficients_in_original_units
FROM gfm_out o JOIN gfm t ON t.grp = o.grp,
     LATERAL (SELECT (regexp_match(o.independent_varname, 'a \(center ([^,]+), scale ([^)]+)\)')) AS ma,
                     (regexp_match(o.independent_varname, 'b \(center ([^,]+), scale ([^)]+)\)')) AS mb) r,
     LATERAL (SELECT r.ma[1]::float8 AS ca, 1 / r.ma[2]::float8 AS ia, r.mb[1]::float8 AS cb, 1 / r.mb[2]::float8 AS ib) c
GROUP BY 1 ORDER BY 1;
