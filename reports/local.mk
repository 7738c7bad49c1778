# reports/local.mk -- libreports: `metaleak report`.

noinst_LIBRARIES += reports/libreports.a
reports_libreports_a_SOURCES = \
	reports/report.h reports/cmd-report.c
