-- corgi 0.4.0 -> 0.5.0: faster grouped learning.
-- ALTER EXTENSION corgi UPDATE applies it.
--
-- - A grouped epoch with every group in one batch (the common case) hands the groups'
--   states to the pass and takes them back as they are, without regrouping the arrays.
-- - (corgi.so) A grouped pass over a heap table stages its rows for the worker thread,
--   which writes them into the groups' buffers and trains them.

\echo Use "ALTER EXTENSION corgi UPDATE TO '0.5.0'" to load this file. \quit

CREATE OR REPLACE FUNCTION corgi._run_grouped_epochs(plan corgi.training_plan, states bytea[], keys text[], key_count integer,
                                          batches integer[], group_columns name[], key_exprs text, val_key_sql text,
                                          verbose boolean,
                                          OUT final_states bytea[], OUT epoch_loss float8[], OUT epoch_rows bigint[],
                                          OUT epoch_skipped bigint[], OUT epoch_seconds float8[], OUT diverged_in integer[],
                                          OUT val_loss float8[], OUT val_metric float8[], OUT val_loss_all float8[],
                                          OUT val_metric_all float8[])
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    g_count integer := cardinality(states);
    b_count integer := (SELECT max(x) FROM unnest(batches) x);
    e integer;
    b integer;
    members integer[];
    batch_states bytea[];
    batch_keys text[];
    trained bytea[];
    progress record;
    info record;
    t0 timestamptz;
    all_members integer[];
    all_states bytea[];
    all_loss float8[];
    all_rows bigint[];
    all_skipped bigint[];
    val_feat text;
    val_lab text;
    v record;
    whole boolean;
BEGIN
    IF plan.val_table IS NOT NULL THEN
        val_feat := corgi._variable(plan.val_table, plan.independent_varname, false, 'independent_varname');
        val_lab := corgi._variable(plan.val_table, plan.dependent_varname, false, 'dependent_varname');
        val_loss := '{}'; val_metric := '{}'; val_loss_all := '{}'; val_metric_all := '{}';
    END IF;
    -- Set-based throughout: an element of a large array with NULLs or of varlena type
    -- costs a walk from its start, so no loop subscripts the per-group arrays.
    final_states := states;
    epoch_loss := '{}'; epoch_rows := '{}'; epoch_skipped := '{}'; epoch_seconds := '{}';
    diverged_in := array_fill(NULL::integer, ARRAY[g_count]);
    FOR e IN 1..plan.epochs LOOP
        t0 := clock_timestamp();
        all_members := '{}'; all_states := '{}'; all_loss := '{}'; all_rows := '{}'; all_skipped := '{}';
        -- One batch and no group diverged (the common case): every group trains, in
        -- order, so the states go in and come back as they are, without regrouping.
        whole := b_count = 1 AND NOT EXISTS (SELECT 1 FROM unnest(diverged_in) d WHERE d IS NOT NULL);
        FOR b IN 1..b_count LOOP
            IF whole THEN
                batch_states := final_states;
                batch_keys := keys;
            ELSE
                SELECT array_agg(u.g ORDER BY u.g), array_agg(u.s ORDER BY u.g) INTO members, batch_states
                  FROM unnest(final_states, batches, diverged_in) WITH ORDINALITY AS u(s, bt, d, g)
                 WHERE u.bt = b AND u.d IS NULL;
                CONTINUE WHEN members IS NULL;
                SELECT array_agg(k.k ORDER BY m.o, k.o) INTO batch_keys
                  FROM unnest(members) WITH ORDINALITY AS m(g, o)
                  JOIN unnest(keys) WITH ORDINALITY AS k(k, o) ON (k.o - 1) / key_count + 1 = m.g;
            END IF;
            IF plan.fast THEN
                trained := corgi._train_groups(plan.read_from::regclass, plan.feat_col, plan.label_col, group_columns,
                                               batch_keys, batch_states, plan.shuffle IN ('corgipile', 'block_only'));
            ELSE
                info := corgi.sgd_state_info(batch_states[1]);
                EXECUTE format('SELECT corgi._sgd_groups(ROW(%s), (%s)::float8[], %s, $1, $4) FROM %s %s',
                               key_exprs, plan.feat_expr, plan.label_code, plan.read_from, coalesce(plan.sample_clause, ''))
                    INTO trained USING batch_states, info.block_pages, info.block_seed, batch_keys;
                IF trained IS NULL THEN
                    trained := ARRAY(SELECT corgi.sgd_end_epoch(s) FROM unnest(batch_states) s);
                END IF;
            END IF;
            progress := corgi._states_progress(trained);
            all_loss := all_loss || progress.loss;
            all_rows := all_rows || progress.rows;
            IF whole THEN
                final_states := trained;
                diverged_in := ARRAY(SELECT CASE WHEN corgi._not_finite(l) THEN e END FROM unnest(progress.loss) l);
                epoch_loss := epoch_loss || progress.loss;
                epoch_rows := epoch_rows || progress.rows;
                epoch_skipped := epoch_skipped || progress.skipped;
            ELSE
                all_members := all_members || members;
                all_states := all_states || trained;
                all_skipped := all_skipped || progress.skipped;
            END IF;
        END LOOP;
        -- Otherwise this epoch's states and statistics into the per-group arrays (one join each).
        IF NOT whole THEN
            SELECT array_agg(coalesce(t.s, f.s) ORDER BY f.g),
                   array_agg(CASE WHEN f.d IS NULL AND corgi._not_finite(t.loss) THEN e ELSE f.d END ORDER BY f.g),
                   epoch_loss || array_agg(t.loss ORDER BY f.g), epoch_rows || array_agg(t.r ORDER BY f.g),
                   epoch_skipped || array_agg(t.sk ORDER BY f.g)
              INTO final_states, diverged_in, epoch_loss, epoch_rows, epoch_skipped
              FROM unnest(final_states, diverged_in) WITH ORDINALITY AS f(s, d, g)
              LEFT JOIN unnest(all_members, all_states, all_loss, all_rows, all_skipped) AS t(g, s, loss, r, sk) ON t.g = f.g;
        END IF;
        epoch_seconds := epoch_seconds || extract(epoch FROM clock_timestamp() - t0)::float8;
        IF plan.val_table IS NOT NULL THEN
            -- Every group's model on the validation rows of its group (one pass), and overall.
            SELECT array_agg(q.i) AS idx, array_agg(r.loss) AS l,
                   array_agg(CASE corgi._metric_name(plan.model) WHEN 'rmse' THEN r.rmse ELSE r.accuracy END) AS m
              INTO v
              FROM corgi._metrics_grouped(final_states, keys, val_key_sql, plan.model, plan.class_texts,
                                          plan.val_table, val_feat, val_lab) q,
                   LATERAL corgi._metric_values(q.m, plan.model) r;
            SELECT val_loss || array_agg(x.l ORDER BY f.g), val_metric || array_agg(x.m ORDER BY f.g)
              INTO val_loss, val_metric
              FROM generate_series(1, g_count) AS f(g)
              LEFT JOIN unnest(v.idx, v.l, v.m) AS x(i, l, m) ON x.i = f.g;
            val_loss_all := val_loss_all || (SELECT x.l FROM unnest(v.idx, v.l, v.m) AS x(i, l, m)
                                             WHERE x.i IS NULL);
            val_metric_all := val_metric_all || (SELECT x.m FROM unnest(v.idx, v.l, v.m) AS x(i, l, m)
                                                 WHERE x.i IS NULL);
        END IF;
        IF _run_grouped_epochs.verbose THEN
            RAISE NOTICE 'epoch %: % groups in % batches, % s, mean loss %', e, cardinality(all_loss), b_count,
                round(epoch_seconds[e]::numeric, 3),
                (SELECT round((sum(l * r) / nullif(sum(r), 0))::numeric, 6) FROM unnest(all_loss, all_rows) x(l, r));
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION corgi._run_grouped_epochs(corgi.training_plan, bytea[], text[], integer, integer[], name[], text, text, boolean) IS
    'internal: the epochs of a grouped corgi.train, all on the snapshot of the calling statement';
