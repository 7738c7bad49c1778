# datasets/local.mk -- shipped scenarios, cases and literature figures,
# installed to $(pkgdatadir) where the installed binary finds them.

scenariosdir = $(pkgdatadir)/scenarios
dist_scenarios_DATA = \
	datasets/scenarios/demo.ini \
	datasets/scenarios/classroom.ini \
	datasets/scenarios/journalist.ini \
	datasets/scenarios/town.ini \
	datasets/scenarios/city.ini

casesdir = $(pkgdatadir)/cases
dist_cases_DATA = \
	datasets/cases/default.ini \
	datasets/cases/journalist.ini \
	datasets/cases/late-renewal.ini \
	datasets/cases/bulk.ini \
	datasets/cases/cdr.ini

dist_pkgdata_DATA = datasets/literature.csv
