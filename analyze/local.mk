# analyze/local.mk -- libanalyze: `metaleak analyze`.

noinst_LIBRARIES += analyze/libanalyze.a
analyze_libanalyze_a_SOURCES = \
	analyze/analyze.h analyze/cmd-analyze.c
