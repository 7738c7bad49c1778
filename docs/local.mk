# docs/local.mk -- man pages and the model documentation.

dist_man_MANS += docs/metaleak.1 docs/metaleak-sim.1 docs/metaleak-analyze.1 \
	docs/metaleak-report.1 docs/metaleak-demo.1 docs/metaleak-cdr.1
EXTRA_DIST += docs/model.md docs/assemble-model.sh \
	docs/model/scenario.md docs/model/population.md docs/model/socialgraph.md \
	docs/model/mobility.md docs/model/network.md docs/model/traffic.md docs/model/calibration.md \
	docs/model/cdr.md \
	docs/analyze/outputs.md docs/analyze/legal.md docs/analyze/evidence.md \
	docs/analyze/inference.md docs/analyze/evaluation.md docs/analyze/population.md
