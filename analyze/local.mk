# analyze/local.mk -- libanalyze: `metaleak analyze` and `metaleak cdr`.

noinst_LIBRARIES += analyze/libanalyze.a
analyze_libanalyze_a_SOURCES = \
	analyze/analyze.h analyze/cmd-analyze.c \
	analyze/analysis.h analyze/infer.h \
	analyze/casefile.c analyze/casefile.h \
	analyze/legalcase.c analyze/legalcase.h \
	analyze/evidence.c analyze/evidence.h analyze/evindex.c \
	analyze/importlog.c analyze/importlog.h \
	analyze/cdr-analyze.c analyze/cdr-analyze.h \
	analyze/pseudonym.c analyze/pseudonym.h \
	analyze/contacts.c analyze/hops.c analyze/location.c \
	analyze/colocation.c analyze/sensitive.c analyze/rhythm.c \
	analyze/evaluate.c analyze/evaluate.h \
	analyze/popmode.c analyze/popmode.h \
	analyze/findings.c analyze/findings.h \
	analyze/cdr.h analyze/cdr-private.h analyze/cdr-user.c analyze/cdr-csv.c \
	analyze/cdr-store.c analyze/cdr-import.c analyze/cdr-stats.c analyze/cdr-group.c \
	analyze/cdr-indicators.c analyze/cdr-spatial.c analyze/cdr-network.c \
	analyze/cdr-reporting.c analyze/cdr-output.c analyze/cdr-run.c \
	analyze/cdr-generate.c analyze/cmd-cdr.c

ML_ANALYZE_TEST_LDADD = tests/unit/librunner.a analyze/libanalyze.a common/libmetaleak.a $(ML_LIBS) $(CUNIT_LIBS)
analyze_unit_tests = \
	tests/unit/test-cdr \
	tests/unit/test-case \
	tests/unit/test-legalcase \
	tests/unit/test-evidence \
	tests/unit/test-importlog \
	tests/unit/test-cdr-analyze \
	tests/unit/test-infer \
	tests/unit/test-evaluate \
	tests/unit/test-popmode \
	tests/unit/test-findings \
	tests/unit/test-wall
check_PROGRAMS += $(analyze_unit_tests)
TESTS += $(analyze_unit_tests)
tests_unit_test_cdr_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_case_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_legalcase_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_evidence_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_importlog_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_cdr_analyze_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_infer_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_evaluate_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_popmode_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_wall_LDADD = $(ML_ANALYZE_TEST_LDADD)
tests_unit_test_findings_LDADD = $(ML_ANALYZE_TEST_LDADD)

EXTRA_DIST += docs/cdr.md bench/cdr
