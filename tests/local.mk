# tests/local.mk -- unit tests (CUnit, one program per module) and
# end-to-end CLI tests (shell scripts driving the built binary).

AM_CPPFLAGS += $(CUNIT_CFLAGS)

check_LIBRARIES = tests/unit/librunner.a
tests_unit_librunner_a_SOURCES = tests/unit/runner.c tests/unit/runner.h
ML_TEST_LDADD = tests/unit/librunner.a common/libmetaleak.a $(ML_LIBS) $(CUNIT_LIBS)

common_unit_tests = \
	tests/unit/test-errors \
	tests/unit/test-config \
	tests/unit/test-db \
	tests/unit/test-outdir \
	tests/unit/test-rng \
	tests/unit/test-timeutil \
	tests/unit/test-geo \
	tests/unit/test-progress \
	tests/unit/test-dtoa \
	tests/unit/test-sha256 \
	tests/unit/test-parallel
check_PROGRAMS += $(common_unit_tests)
TESTS += $(common_unit_tests)

tests_unit_test_errors_LDADD = $(ML_TEST_LDADD)
tests_unit_test_config_LDADD = $(ML_TEST_LDADD)
tests_unit_test_db_LDADD = $(ML_TEST_LDADD)
tests_unit_test_outdir_LDADD = $(ML_TEST_LDADD)
tests_unit_test_rng_LDADD = $(ML_TEST_LDADD)
tests_unit_test_timeutil_LDADD = $(ML_TEST_LDADD)
tests_unit_test_geo_LDADD = $(ML_TEST_LDADD)
tests_unit_test_progress_LDADD = $(ML_TEST_LDADD)
tests_unit_test_dtoa_LDADD = $(ML_TEST_LDADD)
tests_unit_test_sha256_LDADD = $(ML_TEST_LDADD)
tests_unit_test_parallel_LDADD = $(ML_TEST_LDADD)

cli_tests = \
	tests/cli/usage.sh \
	tests/cli/sim.sh \
	tests/cli/cdr.sh \
	tests/cli/cdr-analyze.sh \
	tests/cli/export.sh \
	tests/cli/demo.sh \
	tests/cli/analyze.sh \
	tests/cli/report.sh \
	tests/cli/browser.sh
TESTS += $(cli_tests)
EXTRA_DIST += $(cli_tests) tests/cli/lib.sh tests/data

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	METALEAK='$(abs_top_builddir)/metaleak'; export METALEAK; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	GNUPLOT='$(GNUPLOT)'; export GNUPLOT; \
	SQLITE3='$(SQLITE3_SHELL)'; export SQLITE3; \
	MMDBLOOKUP='$(MMDBLOOKUP)'; export MMDBLOOKUP;

# make check-valgrind: every CUnit program under valgrind, failing on any
# memory error or definite leak (the CLI tests drive whole simulations and
# would take hours under valgrind; the sanitizer build in .ci/run covers
# them).  GLib's caches and SQLite's page cache are "still reachable", not
# leaks.
VALGRIND = valgrind
VALGRIND_FLAGS = --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check \
	  TESTS='$(common_unit_tests) $(sim_unit_tests) $(analyze_unit_tests) tests/unit/test-report' \
	  LOG_COMPILER='$(VALGRIND) $(VALGRIND_FLAGS)'
.PHONY: check-valgrind
