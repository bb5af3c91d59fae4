-- corgi.train with an exact solver: params solver=exact (linear, least squares) and
-- solver=irls (logistic); the model is an ordinary corgi.train model (predict, evaluate,
-- model bytes), its coefficients those of corgi.linregr and corgi.logregr_train.
SET extra_float_digits = 0;
CREATE TABLE tex AS
SELECT g, ARRAY[(g * 37) % 101 / 10.0, (g * 17) % 53 / 5.0, sin(g)]::float8[] AS x,
       2.5 + 0.7 * ((g * 37) % 101 / 10.0) - 1.3 * ((g * 17) % 53 / 5.0) + 3 * sin(g) + ((g * 7919) % 13 - 6) / 10.0 AS y,
       (0.7 * ((g * 37) % 101 / 10.0) - 1.3 * ((g * 17) % 53 / 5.0) + ((g * 7919) % 13 - 6) + 6 > 0) AS positive
FROM generate_series(1, 2000) g;
INSERT INTO tex VALUES (2001, NULL, 1, true), (2002, '{1,2,3}', NULL, NULL);

SELECT epochs_run, rows_per_epoch, round(final_loss::numeric, 9) AS final_loss
FROM corgi.train('tex', 'tex_exact', 'y', 'x', 'linear', params => 'solver=exact');
-- The same numbers as corgi.linregr with a 1 appended (the intercept last).
SELECT m.coef = (l).coef[1:3] AS coef_same, m.intercept[1] = (l).coef[4] AS intercept_same, m.num_rows_processed, m.num_rows_skipped
FROM tex_exact m, (SELECT corgi.linregr(y, CASE WHEN x IS NULL THEN NULL ELSE x || 1::float8 END) AS l FROM tex) q;
-- Its loss is half the mean squared error of its own predictions.
SELECT round((SELECT loss FROM tex_exact)::numeric, 9) = round(avg(0.5 * (y - corgi.predict('tex_exact', x)) ^ 2)::numeric, 9) AS loss_is_half_mse
FROM tex WHERE x IS NOT NULL AND y IS NOT NULL;
SELECT training_path, shuffle, epochs, num_rows_skipped FROM tex_exact_summary;
-- A linear model whose params ask nothing of SGD is fitted exactly by default: the
-- same model as solver=exact.
SELECT count(*) FROM corgi.train('tex', 'tex_default', 'y', 'x', 'linear');
SELECT (SELECT training_path FROM tex_default_summary) AS path,
       (SELECT model FROM tex_default) = (SELECT model FROM tex_exact) AS same_model;
SELECT count(*) FROM corgi.train('tex', 'tex_default2', 'y', 'x', 'linear', params => 'seed=7, intercept=true');
SELECT training_path FROM tex_default2_summary;
-- Better than 10 epochs of SGD on the same data (it is the optimum). SGD's default step
-- diverges on these unscaled features (solver=sgd asks for SGD); a smaller one trains
-- (a learning rate asks for SGD too).
SELECT count(*) FROM corgi.train('tex', 'tex_sgd', 'y', 'x', 'linear', params => 'solver=sgd');
SELECT count(*) FROM corgi.train('tex', 'tex_sgd', 'y', 'x', 'linear', params => 'learning_rate=0.001');
SELECT training_path FROM tex_sgd_summary;
SELECT e.rmse <= s.rmse AS exact_at_least_as_good, round(e.r2::numeric, 6) AS exact_r2
FROM corgi.evaluate('tex_exact', 'tex', 'y', 'x') e, corgi.evaluate('tex_sgd', 'tex', 'y', 'x') s;
-- Too wide for the exact solver (500 features and the intercept): SGD by default; the
-- same width without an intercept fits exactly.
CREATE TABLE wide500 AS SELECT g % 2 AS y, array_fill((g % 7)::float8, ARRAY[500]) AS x FROM generate_series(1, 20) g;
SELECT count(*) FROM corgi.train('wide500', 'w_default', 'y', 'x', 'linear', 1);
SELECT count(*) FROM corgi.train('wide500', 'w_origin', 'y', 'x', 'linear', params => 'intercept=false');
SELECT (SELECT training_path FROM w_default_summary) AS with_intercept, (SELECT training_path FROM w_origin_summary) AS without;
-- Grouped: SGD by default (corgi.linregr_train fits groups exactly).
SELECT count(*) FROM corgi.train('wide500', 'w_grouped', 'y', 'x', 'linear', 1, params => 'intercept=false', grouping_cols => 'y');
SELECT training_path FROM w_grouped_summary;
-- Without an intercept: the fit through the origin.
SELECT count(*) FROM corgi.train('tex', 'tex_origin', 'y', 'x', 'linear', params => 'solver=exact, intercept=false');
SELECT m.coef = (SELECT (corgi.linregr(y, x)).coef FROM tex) AS coef_same, m.intercept FROM tex_origin m;

-- Logistic by IRLS: the coefficients of corgi.logregr_train, epochs as max_iter.
SELECT epochs_run, rows_per_epoch FROM corgi.train('tex', 'tex_irls', 'positive', 'x', 'logistic', 20, params => 'solver=irls');
SELECT corgi.logregr_train('tex', 'tex_logregr', 'positive', 'CASE WHEN x IS NULL THEN NULL ELSE x || 1::float8 END');
SELECT m.coef = l.coef[1:3] AS coef_same, m.intercept[1] = l.coef[4] AS intercept_same, m.num_epochs = l.num_iterations + 1 AS passes
FROM tex_irls m, tex_logregr l;
SELECT round(accuracy::numeric, 4) AS accuracy FROM corgi.evaluate('tex_irls', 'tex', 'positive', 'x');
SELECT corgi.predict_label('tex_irls', ARRAY[5, 1, 0]::float8[]) AS label, round((corgi.predict_proba('tex_irls', ARRAY[5, 1, 0]::float8[]))[2]::numeric, 6) AS p_positive;

-- What is refused, with nothing written.
SELECT * FROM corgi.train('tex', 'o1', 'y', 'x', 'linear', params => 'solver=irls');
SELECT * FROM corgi.train('tex', 'o1', 'positive', 'x', 'svm', params => 'solver=exact');
SELECT * FROM corgi.train('tex', 'o1', 'y', 'x', 'linear', params => 'solver=exact, l2=0.01');
SELECT * FROM corgi.train('tex', 'o1', 'y', 'x', 'linear', params => 'solver=exact, patience=2');
SELECT * FROM corgi.train('tex', 'o1', 'y', 'x', 'linear', params => 'solver=exact', grouping_cols => 'g % 2');
SELECT * FROM corgi.train('tex', 'o1', 'y', 'x', 'linear', params => 'solver=gauss');
SELECT * FROM corgi.train('tex', 'o1', 'g', 'x', 'logistic', params => 'solver=irls');
SELECT * FROM corgi.config_grid('linear', 'solver=[exact,sgd]');
CREATE TABLE tex_configs AS SELECT * FROM corgi.config_grid('linear', 'learning_rate=[0.01,0.1]');
SELECT * FROM corgi.fit_multiple('tex', 'o1', 'y', 'x', 'tex_configs', 2, params => 'solver=exact');
SELECT to_regclass('o1') IS NULL AND to_regclass('o1_summary') IS NULL AS nothing_written;
