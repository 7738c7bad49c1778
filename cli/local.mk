# cli/local.mk -- the metaleak binary: the dispatcher and the demo.

bin_PROGRAMS += metaleak
metaleak_SOURCES = cli/metaleak.c cli/demo.c cli/demo.h
metaleak_LDADD = reports/libreports.a analyze/libanalyze.a sim/libsim.a common/libmetaleak.a $(ML_LIBS)
