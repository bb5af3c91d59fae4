# corgi: PGXS on the outside, SwiftPM inside.
#
#   make                 build corgi.so (Swift runtime linked statically)
#   make install         install library, control file and SQL scripts (PG_CONFIG=...)
#   make installcheck    pg_regress suite against a running server (PGHOST/PGPORT)
#   make test            everything, on a fresh machine: packages, scratch cluster, tests
#   make demo            the same set-up, then a demonstration on generated data

EXTVERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" extension/corgi.control)

MODULES = corgi
MODULEDIR = extension
# The install script, built from its one source (sql/corgi.sql, as pgvector's), and the
# newest upgrade script, built from a declaration of what changed (sql/corgi--A--B.sql.in)
# and that source, where every body lives once (scripts/build-upgrade.py). The upgrade
# scripts of past releases are kept as they were released.
CORGI_INSTALL_SQL = sql/corgi--$(EXTVERSION).sql
CORGI_UPGRADE_SQL = $(patsubst %.sql.in,%.sql,$(wildcard sql/corgi--*--*.sql.in))
# corgi_madlib: MADlib's SQL surface in schema madlib, declarations over corgi's functions
# (its own version; its install script built from sql/corgi_madlib.sql likewise).
MADLIB_VERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" extension/corgi_madlib.control)
MADLIB_INSTALL_SQL = sql/corgi_madlib--$(MADLIB_VERSION).sql
MADLIB_UPGRADE_SQL = $(patsubst %.sql.in,%.sql,$(wildcard sql/corgi_madlib--*--*.sql.in))
DATA_built = $(CORGI_INSTALL_SQL) $(CORGI_UPGRADE_SQL) $(MADLIB_INSTALL_SQL) $(MADLIB_UPGRADE_SQL)
# Upgrade scripts frozen as released (committed, not built) are installed as they are:
# corgi's and corgi_madlib's (1.0--1.1 was missing from make install until 0.9.0).
DATA = extension/corgi.control extension/corgi_madlib.control \
	$(filter-out $(DATA_built),$(wildcard sql/corgi--*.sql sql/corgi_madlib--*--*.sql))
REGRESS = $(sort $(patsubst test/sql/%.sql,%,$(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --load-extension=corgi
EXTRA_CLEAN = .build .build-pg* results regression.diffs regression.out extension/corgi.map sql/*.tmp

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# corgi.so comes from SwiftPM, not from corgi.c: there is no LLVM bitcode to build.
override with_llvm = no
include $(PGXS)

SWIFT ?= swift
PG_INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)
# libpq's headers and library too: partition hopping reaches other servers through
# libpq, the server's own (its libdir first, and found there at run time).
PG_INCLUDEDIR := $(shell $(PG_CONFIG) --includedir)
PG_LIBDIR := $(shell $(PG_CONFIG) --libdir)
SWIFT_PG_FLAGS = -Xcc -I$(PG_INCLUDEDIR_SERVER) -Xcc -I$(PG_INCLUDEDIR) \
	-Xlinker -L$(PG_LIBDIR) -Xlinker -rpath -Xlinker $(PG_LIBDIR)
SWIFT_SOURCES := Package.swift $(shell find Sources -type f -name '*.[chs]*')
# One SwiftPM build directory per server major version (the glue is compiled against
# that server's headers): .build for 15, .build-pg16, .build-pg18, ...
PG_MAJOR := $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
SWIFT_BUILD_DIR := $(if $(filter 15,$(PG_MAJOR)),.build,.build-pg$(PG_MAJOR))

# The linker version script, generated from the SQL (the one list of C entry points).
extension/corgi.map: $(DATA) $(CORGI_INSTALL_SQL) scripts/export-map.sh
	scripts/export-map.sh $(DATA) $(CORGI_INSTALL_SQL) >$@.tmp && mv $@.tmp $@

$(CORGI_INSTALL_SQL): sql/corgi.sql extension/corgi.control
	sed 's/@VERSION@/$(EXTVERSION)/' $< >$@.tmp && mv $@.tmp $@

$(MADLIB_INSTALL_SQL): sql/corgi_madlib.sql extension/corgi_madlib.control
	sed 's/@VERSION@/$(MADLIB_VERSION)/' $< >$@.tmp && mv $@.tmp $@

$(CORGI_UPGRADE_SQL): %.sql: %.sql.in sql/corgi.sql scripts/build-upgrade.py
	scripts/build-upgrade.py sql/corgi.sql $< >$@.tmp && mv $@.tmp $@

$(MADLIB_UPGRADE_SQL): %.sql: %.sql.in sql/corgi_madlib.sql scripts/build-upgrade.py
	scripts/build-upgrade.py sql/corgi_madlib.sql $< >$@.tmp && mv $@.tmp $@

# The server module: release build, static Swift runtime, only the PostgreSQL entry
# points exported (extension/corgi.map).
# Always asks SwiftPM (a no-op when nothing changed), so that switching PG_CONFIG
# installs the library built for that server.
corgi.so: $(SWIFT_SOURCES) extension/corgi.map FORCE
	@# SwiftPM does not know the export map: relink when it changed.
	@if [ extension/corgi.map -nt $(SWIFT_BUILD_DIR)/release/libcorgi.so ]; then rm -f $(SWIFT_BUILD_DIR)/release/libcorgi.so; fi
	$(SWIFT) build -c release --product corgi --scratch-path $(SWIFT_BUILD_DIR) $(SWIFT_PG_FLAGS) \
		-Xswiftc -static-stdlib \
		-Xlinker --version-script=$(CURDIR)/extension/corgi.map
	cmp -s $(SWIFT_BUILD_DIR)/release/libcorgi.so $@ || cp $(SWIFT_BUILD_DIR)/release/libcorgi.so $@

.PHONY: FORCE
FORCE:

.PHONY: swift-test check-library test test-multinode demo

# Unit tests of the pure Swift core (no server needed).
swift-test:
	$(SWIFT) test -c release -Xcc -I$(PG_INCLUDEDIR_SERVER) -Xcc -I$(PG_INCLUDEDIR)

# corgi.so links no libswift and exports only what the SQL scripts reference.
check-library: corgi.so
	scripts/check-library.sh corgi.so extension/corgi.map $(DATA) $(DATA_built)

test:
	scripts/test.sh

# Model hopping across servers alone: a coordinator and 3 scratch node clusters (make
# test runs it too). Needs corgi installed (make install).
test-multinode:
	test/multinode/run.sh

demo:
	scripts/demo.sh

.PHONY: bench bench-epochs bench-defaults bench-mlp bench-mop bench-grouping bench-multinode bench-cold bench-hot bench-predict bench-schedules bench-fused bench-exact bench-columns bench-categories bench-drivers bench-madlib-cv
# Benchmarks (not tests). bench: the whole study (datasets, all shuffles, scikit-learn,
# sensitivity, plots, BENCHMARKS.md; tens of minutes). bench-epochs: epoch time and
# accuracy of the shuffles against a plain scan on 1M and 5M rows. bench-defaults:
# accuracy of the default parameters against the Bayes limit (1M logistic rows, ~3 min).
# bench-mlp: the MLP against logistic, no shuffle, a plain scan and scikit-learn.
# bench-mop: corgi.fit_multiple against one corgi.train per config (8 configs, 1M rows).
# bench-grouping: grouped learning against an ungrouped epoch and a loop over the groups.
# bench-multinode: fit_multiple over 3 node clusters (postgres_fdw partitions) against local partitions.
# bench-cold: a table larger than shared_buffers read cold and OS-cached, per server version.
# bench-hot: an epoch against a plain scan with the table in shared_buffers, per server version.
# bench-predict: predict, model_predict, predict_proba and evaluate against a plain scan.
bench:
	bench/run.sh

bench-epochs:
	bench/train_epochs.sh

bench-predict:
	bench/predict.sh

bench-defaults:
	bench/defaults_accuracy.sh

bench-mlp:
	bench/mlp.sh

bench-mop:
	bench/mop.sh

# bench-fused: 8 configs in one fit_multiple (fused visits) against one corgi.train, interleaved medians.
bench-fused:
	bench/fused.sh

# bench-madlib-cv: corgi_madlib's n_folds cross-validation against MADlib's way (every combination trained per fold).
bench-madlib-cv:
	bench/madlib_cv.sh

# bench-exact: the exact solvers (linregr, logregr, solver=exact/irls) against SGD epochs and statsmodels.
bench-exact:
	bench/exact.sh

# bench-schedules: grid, successive halving and Hyperband on 27 mixed configs, with the anytime curve.
bench-schedules:
	bench/schedules.sh

bench-grouping:
	bench/grouping.sh

# bench-columns: 28 float8 feature columns against the same data as a float8[] column.
bench-columns:
	bench/columns.sh

# bench-categories: a table of text categories and numbers with NULLs against the all-numeric one.
bench-categories:
	bench/categories.sh

bench-multinode:
	bench/multinode.sh

# bench-drivers: the drivers in C against the PL/pgSQL drivers they replaced (same epoch engine, interleaved).
bench-drivers:
	bench/drivers.sh

# Reads of a table larger than shared_buffers, cold and OS-cached, per server version
# (as root: it drops the OS page cache): bench/results/cold.md.
bench-cold:
	bench/cold.sh

# An epoch against a plain scan with the table in shared_buffers, per server version:
# bench/results/hot.md.
bench-hot:
	bench/hot.sh
