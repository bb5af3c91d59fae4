-- Real tables in: palmerpenguins (344 penguins, CC0; the PyPI package's data, in
-- test/data/penguins.csv), species from island, sex (text, with NULLs), the four
-- measurements (2 rows with NULLs) and year, stored sorted by species. corgi.train with
-- its defaults and independent_varname '*': the text columns one-hot inside the model,
-- the numbers standardized inside it, a full shuffle (the table is small). Against
-- scikit-learn's pipeline (OneHotEncoder + SimpleImputer + StandardScaler +
-- LogisticRegression, defaults) on the same split (every 4th penguin held out):
-- bench/penguins.py prints 0.9884 (85 of 86) over every held-out row and 1.0 (84 of
-- 84) over those without a NULL measurement.
SET search_path = public, corgi;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE TABLE penguins (id integer, species text, island text, bill_length_mm float8, bill_depth_mm float8,
                       flipper_length_mm float8, body_mass_g float8, sex text, year integer);
\copy penguins FROM 'test/data/penguins.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) AS penguins, count(*) - count(sex) AS without_sex, count(*) - count(body_mass_g) AS without_measurements
FROM penguins;
CREATE TABLE penguins_train AS SELECT * FROM penguins WHERE id % 4 <> 0 ORDER BY species, id;
CREATE TABLE penguins_test AS SELECT * FROM penguins WHERE id % 4 = 0;

-- Defaults (nulls=skip): the model keeps what it learned in its feature list.
SELECT epochs_run, rows_per_epoch FROM corgi.train('penguins_train', 'penguin_model', 'species', '*', 'softmax', excluded => 'id');
SELECT training_path, n_features, buffer_rows, num_rows_skipped, independent_varname FROM penguin_model_summary;
-- Rows out: each held-out penguin scored from its row; the two without measurements get NULL.
SELECT count(*) AS held_out, count(corgi.predict_label('penguin_model', p)) AS scored,
       count(*) FILTER (WHERE corgi.predict_label('penguin_model', p) = species) AS correct,
       count(*) FILTER (WHERE corgi.predict_label('penguin_model', p) = species)::float8
         / count(corgi.predict_label('penguin_model', p)) >= 1.0 - 0.01 AS within_a_point_of_sklearn
FROM penguins_test p;
SELECT rows, round(accuracy::numeric, 4) AS accuracy FROM corgi.evaluate('penguin_model', 'penguins_test');

-- nulls=impute: the training means fill the NULL measurements, here and at predict time.
SELECT epochs_run, rows_per_epoch FROM corgi.train('penguins_train', 'penguin_imputed', 'species', '*', 'softmax',
                                                   params => 'nulls=impute', excluded => 'id');
SELECT count(*) FILTER (WHERE corgi.predict_label('penguin_imputed', p) = species) AS correct,
       count(corgi.predict_label('penguin_imputed', p)) AS scored,
       count(*) FILTER (WHERE corgi.predict_label('penguin_imputed', p) = species)::float8 / count(*)
         >= 0.9884 - 0.01 AS within_a_point_of_sklearn
FROM penguins_test p;
-- An unseen island and sex at predict time go to "other"; a NULL sex is its own level.
SELECT corgi.predict_label('penguin_imputed', p) FROM (SELECT 'Atlantis'::text AS island, 'unknown'::text AS sex, 45.0::float8 AS bill_length_mm,
       15.0::float8 AS bill_depth_mm, 220.0::float8 AS flipper_length_mm, 5500.0::float8 AS body_mass_g, 2009 AS year) p;
-- Categories cannot travel in an array of numbers: the array form is refused, naming the row form.
\set VERBOSITY terse
SELECT corgi.predict_label('penguin_model', ARRAY[1, 2, 3]::float8[]);
\set VERBOSITY default

-- (species, a text label, is read through the composed path.) A boolean label reads the
-- text columns straight from the heap, one-hot as the composed path's expression does.
ALTER TABLE penguins_train ADD COLUMN adelie boolean;
UPDATE penguins_train SET adelie = species = 'Adelie';
VACUUM penguins_train;
SELECT epochs_run FROM corgi.train('penguins_train', 'adelie_fast', 'adelie', 'island, sex, bill_length_mm, flipper_length_mm', 'logistic');
SELECT epochs_run FROM corgi.train('penguins_train', 'adelie_composed', 'adelie OR false', 'island, sex, bill_length_mm, flipper_length_mm', 'logistic');
SELECT f.training_path AS fast, c.training_path AS composed,
       (SELECT model FROM adelie_fast) = (SELECT model FROM adelie_composed) AS bit_identical
FROM adelie_fast_summary f, adelie_composed_summary c;
-- The model tables give each feature's name and, for standardized numbers, the
-- coefficients in the columns' own units (the model keeps its standardized weights): the
-- same probabilities from the raw measurements.
SELECT feature_names FROM penguin_model;
SELECT epochs_run FROM corgi.train('penguins_train', 'adelie_numbers', 'adelie', 'bill_length_mm, flipper_length_mm', 'logistic');
SELECT feature_names, cardinality(coef) AS coefficients FROM adelie_numbers;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE abs((corgi.predict_proba('adelie_numbers', p))[2]
                                  - 1 / (1 + exp(-(m.intercept[1] + m.coef[1] * p.bill_length_mm + m.coef[2] * p.flipper_length_mm))))
                              < 1e-9) AS same_probability_in_original_units
FROM penguins_train p, adelie_numbers m WHERE p.bill_length_mm IS NOT NULL;

-- A list of the model's own kind replays it: the summary's list (levels, centers, scales) trains it again.
SELECT epochs_run FROM corgi.train('penguins_train', 'penguin_replay', 'species',
                                   (SELECT independent_varname FROM penguin_model_summary), 'softmax', excluded => 'id');
SELECT (SELECT model FROM penguin_model) = (SELECT model FROM penguin_replay) AS replays;
-- Grouped by island: '*' leaves the grouping column out of the features.
SELECT epochs_run FROM corgi.train('penguins_train', 'penguin_by_island', 'species', '*', 'softmax',
                                   grouping_cols => 'island', excluded => 'id');
SELECT island, status FROM penguin_by_island ORDER BY island;
-- Enums are categories; integers named in categorical=[...] too (their text is the
-- level); read from the heap and through the composed path alike.
CREATE TYPE penguin_island AS ENUM ('Torgersen', 'Biscoe', 'Dream');
CREATE TABLE penguins_enum AS
SELECT species = 'Adelie' AS adelie, island::penguin_island AS island, year, bill_length_mm, flipper_length_mm
FROM penguins_train ORDER BY species, id;
SELECT epochs_run FROM corgi.train('penguins_enum', 'enum_fast', 'adelie', '*', 'logistic', params => 'categorical=[year]');
SELECT epochs_run FROM corgi.train('penguins_enum', 'enum_composed', 'adelie OR false', 'island, year, bill_length_mm, flipper_length_mm',
                                   'logistic', params => 'categorical=[year]');
SELECT s.training_path, s.independent_varname, m.feature_names,
       m.model = (SELECT model FROM enum_composed) AS bit_identical
FROM enum_fast_summary s, enum_fast m;
SELECT count(*) FILTER (WHERE corgi.predict_label('enum_fast', p) = adelie::text) AS correct, count(*) AS rows
FROM penguins_enum p;
SELECT * FROM corgi.train('penguins_enum', 'bad', 'adelie', '*', 'logistic', params => 'categorical=[bill_length_mm]');
SELECT * FROM corgi.train('penguins_enum', 'bad', 'adelie', '*', 'logistic', params => 'categorical=[nope]');
SELECT * FROM corgi.train('penguins_enum', 'bad', 'adelie', 'ARRAY[year]', 'logistic', params => 'categorical=[year]');

-- Errors: max_levels, standardize and nulls on what they do not apply to.
SELECT * FROM corgi.train('penguins_train', 'bad', 'species', '*', 'softmax', params => 'max_levels=0', excluded => 'id');
SELECT * FROM corgi.train('penguins_train', 'bad', 'species', 'ARRAY[bill_length_mm]', 'softmax', params => 'standardize=true');
SELECT * FROM corgi.train('penguins_train', 'bad', 'species', 'ARRAY[bill_length_mm]', 'softmax', params => 'nulls=impute');
SELECT * FROM corgi.train('penguins_train', 'bad', 'species', '*', 'softmax', params => 'nulls=zero', excluded => 'id');
SELECT * FROM corgi.train('penguins_train', 'bad', 'species', 'bill_length_mm (levels [''a''])', 'softmax');
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'bad%';
