# analyze/local.mk -- libanalyze: `metaleak analyze` and `metaleak cdr`.

noinst_LIBRARIES += analyze/libanalyze.a
analyze_libanalyze_a_SOURCES = \
	analyze/analyze.h analyze/cmd-analyze.c \
	analyze/analysis.h analyze/infer.h \
	analyze/contacts.c analyze/hops.c analyze/location.c \
	analyze/colocation.c analyze/sensitive.c analyze/rhythm.c \
	analyze/cdr.h analyze/cdr-private.h analyze/cdr-user.c analyze/cdr-csv.c \
	analyze/cdr-store.c analyze/cdr-import.c analyze/cdr-stats.c analyze/cdr-group.c \
	analyze/cdr-indicators.c analyze/cdr-spatial.c analyze/cdr-network.c \
	analyze/cdr-reporting.c analyze/cdr-output.c analyze/cdr-run.c \
	analyze/cdr-generate.c analyze/cmd-cdr.c

ML_ANALYZE_TEST_LDADD = tests/unit/librunner.a analyze/libanalyze.a common/libmetaleak.a $(ML_LIBS) $(CUNIT_LIBS)
analyze_unit_tests = \
	tests/unit/test-cdr
check_PROGRAMS += $(analyze_unit_tests)
TESTS += $(analyze_unit_tests)
tests_unit_test_cdr_LDADD = $(ML_ANALYZE_TEST_LDADD)

EXTRA_DIST += docs/cdr.md bench/cdr
