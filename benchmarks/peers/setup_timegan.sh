#!/usr/bin/env bash
# Builds the benchmark-only virtual environment for ydata-synthetic 1.4.0's TimeGAN
# (TensorFlow; never the project's dependencies). ydata-synthetic pins tensorflow==2.15.*
# and pulls streamlit/pmlb/pytest pins it does not need for TimeGAN, so it is installed
# with --no-deps next to tensorflow-cpu 2.15.1 and the modules its TimeGAN imports.
set -euo pipefail
VENV=${1:-benchmarks/output/venv-timegan}
python3.11 -m venv "$VENV"
"$VENV/bin/pip" install -q "tensorflow-cpu==2.15.1" "tensorflow-probability==0.23.0" \
    "numpy<2" "pandas<3" scikit-learn tqdm easydict "typeguard==4.2.*" matplotlib
"$VENV/bin/pip" install -q --no-deps ydata-synthetic==1.4.0
"$VENV/bin/python" -c "from ydata_synthetic.synthesizers.timeseries.timegan.model import TimeGAN; print('TimeGAN ready in $VENV')"
