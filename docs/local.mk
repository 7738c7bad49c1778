# docs/local.mk -- man pages and the model documentation.

dist_man_MANS += docs/metaleak.1 docs/metaleak-sim.1 docs/metaleak-analyze.1 \
	docs/metaleak-report.1 docs/metaleak-demo.1
EXTRA_DIST += docs/model.md
