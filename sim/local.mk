# sim/local.mk -- libsim: `metaleak sim`.

noinst_LIBRARIES += sim/libsim.a
sim_libsim_a_SOURCES = \
	sim/sim.c sim/sim.h \
	sim/scenario.c sim/scenario.h \
	sim/world.c sim/world.h \
	sim/handles.c sim/handles.h \
	sim/places.c sim/places.h \
	sim/population.c sim/population.h \
	sim/socialgraph.c sim/socialgraph.h \
	sim/mobility.c sim/mobility.h \
	sim/network.c sim/network.h \
	sim/traffic.c sim/traffic.h \
	sim/writer.c sim/writer.h \
	sim/runs.c sim/runs.h \
	sim/manifest.c sim/manifest.h \
	sim/calibration.c sim/calibration.h sim/calibration-private.h \
	sim/export.c sim/export.h

ML_SIM_TEST_LDADD = tests/unit/librunner.a sim/libsim.a common/libmetaleak.a $(ML_LIBS) $(CUNIT_LIBS)
sim_unit_tests = \
	tests/unit/test-scenario \
	tests/unit/test-handles \
	tests/unit/test-population \
	tests/unit/test-socialgraph \
	tests/unit/test-mobility \
	tests/unit/test-network \
	tests/unit/test-traffic \
	tests/unit/test-runs \
	tests/unit/test-calibration
check_PROGRAMS += $(sim_unit_tests)
TESTS += $(sim_unit_tests)
tests_unit_test_scenario_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_handles_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_population_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_socialgraph_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_mobility_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_network_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_traffic_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_runs_LDADD = $(ML_SIM_TEST_LDADD)
tests_unit_test_calibration_LDADD = $(ML_SIM_TEST_LDADD)
