#!/bin/sh
# assemble-model.sh -- build docs/model.md from the per-model sections in
# docs/model/*.md (edit those, then run this script: `sh docs/assemble-model.sh`).
set -eu
cd "$(dirname "$0")"
{
  cat <<'HEAD'
# metaleak — the models and their parameters

Every model parameter of `metaleak sim` comes from a cited source or is named here as an
assumption. Each section below is maintained in `docs/model/NAME.md` beside the code it
describes and assembled into this file by `docs/assemble-model.sh`. The calibration section
lists what the demo measures against the published targets (`datasets/literature.csv`),
including the known misses.

Contents: scenario keys · population and places · social graph · mobility · networks and
GeoIP · messages and lookups · calibration · call-detail records (antennas as places, for
`metaleak analyze --import-cdr`).

HEAD
  for f in scenario population socialgraph mobility network traffic calibration cdr; do
    printf '\n---\n\n'
    cat "model/$f.md"
  done
} > model.md
