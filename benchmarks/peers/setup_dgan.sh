#!/usr/bin/env bash
# Builds the benchmark-only virtual environment for gretel-synthetics' DGAN (never the
# project's dependencies). gretel-synthetics 0.22 pins numpy<1.24 and pandas<2, which have no
# Python 3.11 wheels here, so it is installed with --no-deps and the modules its DGAN imports
# are picked by hand (category-encoders is imported by its transformations module).
set -euo pipefail
VENV=${1:-benchmarks/output/venv-dgan}
python3.11 -m venv "$VENV"
"$VENV/bin/pip" install -q torch==2.13.0
"$VENV/bin/pip" install -q numpy pandas scipy tqdm scikit-learn category-encoders
"$VENV/bin/pip" install -q --no-deps gretel-synthetics==0.22.20
"$VENV/bin/python" -c "from gretel_synthetics.timeseries_dgan.dgan import DGAN; print('DGAN ready in $VENV')"
