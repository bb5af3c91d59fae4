-- Small data shuffled fully: when a table's (a group's) rows fit in full_shuffle_mb of
-- tuple buffer (default 64), corgipile buffers all of them and every epoch is a full
-- shuffle. On a label-sorted table, each group trained in one grouped pass then matches
-- the same group trained alone (the issue: a 10 % buffer lost up to 5 points).
SET search_path = public, corgi;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- 30 groups of 40 to 2,940 rows, 6 features, the whole table sorted by label.
SELECT setseed(0.31);
CREATE TABLE sorted_groups (g integer, label boolean, features float8[]) WITH (autovacuum_enabled = false);
INSERT INTO sorted_groups
SELECT g, y, ARRAY(SELECT (CASE WHEN j <= 2 THEN (CASE WHEN y THEN 0.7 ELSE -0.7 END) * (1 + g % 3) / 2 ELSE 0 END)
                          + random() + random() - 1 FROM generate_series(1, 6) j WHERE i > 0)
FROM generate_series(0, 29) g, LATERAL generate_series(1, 40 + 100 * g) i, LATERAL (SELECT random() < 0.5 AS y WHERE i > 0) l
ORDER BY y, g, i;

-- The buffer: every row by default, buffer_fraction of them with full_shuffle_mb=0.
SELECT epochs_run FROM corgi.train('sorted_groups', 'sd_whole', 'label', 'features', 'logistic', 1);
SELECT buffer_rows, (SELECT count(*) FROM sorted_groups) AS table_rows, params ~ 'full_shuffle_mb=64.0' AS default_floor
FROM sd_whole_summary;
SELECT epochs_run FROM corgi.train('sorted_groups', 'sd_whole_partial', 'label', 'features', 'logistic', 1, params => 'full_shuffle_mb=0');
SELECT buffer_rows FROM sd_whole_partial_summary;
SELECT epochs_run FROM corgi.train('sorted_groups', 'sd_whole_capped', 'label', 'features', 'logistic', 1,
                                   params => 'full_shuffle_mb=0.5');
SELECT buffer_rows AS rows_when_the_floor_is_too_small FROM sd_whole_capped_summary;
SELECT * FROM corgi.train('sorted_groups', 'sd_bad', 'label', 'features', 'logistic', 1, params => 'full_shuffle_mb=-1');

-- Grouped against alone: each group's accuracy on its rows, trained in the grouped pass
-- and trained alone on a table of its rows (also label-sorted), 3 epochs each.
SELECT epochs_run FROM corgi.train('sorted_groups', 'sd_grouped', 'label', 'features', 'logistic', 3, grouping_cols => 'g');
SELECT epochs_run FROM corgi.train('sorted_groups', 'sd_grouped_partial', 'label', 'features', 'logistic', 3,
                                   params => 'full_shuffle_mb=0', grouping_cols => 'g');
CREATE TABLE sd_alone (g integer, accuracy float8);
DO $$
BEGIN
    FOR k IN 0..29 LOOP
        EXECUTE format('CREATE TABLE sd_group_%s AS SELECT label, features FROM sorted_groups WHERE g = %s ORDER BY label', k, k);
        PERFORM corgi.train('sd_group_' || k, 'sd_alone_' || k, 'label', 'features', 'logistic', 3);
        INSERT INTO sd_alone SELECT k, accuracy FROM corgi.evaluate('sd_alone_' || k, 'sd_group_' || k);
        EXECUTE format('DROP TABLE sd_group_%1$s, sd_alone_%1$s, sd_alone_%1$s_summary', k);
    END LOOP;
END $$;
CREATE TABLE sd_compared AS
SELECT a.g, a.accuracy AS alone, fs.accuracy AS grouped, ps.accuracy AS grouped_partial
FROM sd_alone a
JOIN corgi.evaluate('sd_grouped', 'sorted_groups') fs ON fs.group_key = format('(%s)', a.g)
JOIN corgi.evaluate('sd_grouped_partial', 'sorted_groups') ps ON ps.group_key = format('(%s)', a.g);
SELECT count(*) AS groups,
       bool_and(grouped >= alone - 0.005) AS every_group_within_half_a_point,
       round(max(alone - grouped)::numeric, 4) AS largest_loss,
       round(avg(alone)::numeric, 3) AS mean_alone, round(avg(grouped)::numeric, 3) AS mean_grouped
FROM sd_compared;
-- Small and large groups alike.
SELECT g < 5 AS small_group, bool_and(grouped >= alone - 0.005) AS within_half_a_point
FROM sd_compared WHERE g < 5 OR g >= 25 GROUP BY 1 ORDER BY 1;
-- With a 10 % buffer instead (full_shuffle_mb=0), the grouped pass loses accuracy.
SELECT round(avg(alone - grouped_partial)::numeric, 3) AS mean_loss_with_partial_buffer,
       round(max(alone - grouped_partial)::numeric, 3) AS largest_loss_with_partial_buffer,
       avg(alone - grouped_partial) > avg(alone - grouped) AS partial_buffer_is_worse
FROM sd_compared;
