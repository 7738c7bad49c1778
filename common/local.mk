# common/local.mk -- libmetaleak, the core every stage links against.

noinst_LIBRARIES += common/libmetaleak.a
common_libmetaleak_a_SOURCES = \
	common/errors.c common/errors.h \
	common/config.c common/config.h \
	common/db.c common/db.h \
	common/outdir.c common/outdir.h \
	common/rng.c common/rng.h \
	common/timeutil.c common/timeutil.h \
	common/geo.c common/geo.h \
	common/progress.c common/progress.h \
	common/datadir.c common/datadir.h \
	common/schema.c common/schema.h \
	common/parallel.c common/parallel.h \
	common/json.c common/json.h \
	common/dtoa.c common/dtoa.h \
	common/sha256.c common/sha256.h
