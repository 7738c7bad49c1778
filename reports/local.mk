# reports/local.mk -- libreports: `metaleak report`.

noinst_LIBRARIES += reports/libreports.a
reports_libreports_a_SOURCES = \
	reports/report.h reports/cmd-report.c \
	reports/casedata.c reports/casedata.h \
	reports/csv.c reports/csv.h \
	reports/redact.c reports/redact.h \
	reports/plot.c reports/plot.h reports/plot-curves.c reports/plot-target.c reports/egonet.c \
	reports/gnuplot.c reports/gnuplot.h \
	reports/narrative.c reports/narrative.h \
	reports/html.c reports/html.h \
	reports/brief.c reports/brief.h

check_PROGRAMS += tests/unit/test-report
TESTS += tests/unit/test-report
tests_unit_test_report_LDADD = tests/unit/librunner.a reports/libreports.a common/libmetaleak.a $(ML_LIBS) $(CUNIT_LIBS)
CLEANFILES += tests/cli/browser-screenshot.png
EXTRA_DIST += docs/report.md
