# bench/local.mk -- benchmark scripts (make bench)

EXTRA_DIST += bench/sim bench/analyze

# make bench: the benchmark scripts, on the built binary.
bench: metaleak
	METALEAK=$(abs_top_builddir)/metaleak $(srcdir)/bench/sim
	METALEAK=$(abs_top_builddir)/metaleak $(srcdir)/bench/cdr
	METALEAK=$(abs_top_builddir)/metaleak $(srcdir)/bench/analyze
.PHONY: bench
