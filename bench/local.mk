# bench/local.mk -- benchmark scripts (make bench)

EXTRA_DIST += bench/sim

# make bench: the benchmark scripts, on the built binary.
bench: metaleak
	METALEAK=$(abs_top_builddir)/metaleak $(srcdir)/bench/sim
	METALEAK=$(abs_top_builddir)/metaleak $(srcdir)/bench/cdr
.PHONY: bench
