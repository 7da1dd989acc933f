#!/usr/bin/env bash
# The whole test suite on a fresh machine: install (torch pinned by constraints.txt), then every notebook and tests/ through pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -c constraints.txt -e ".[dev]"
python -m pytest -q -rs  # -rs: say why a test was skipped (e.g. no CUDA device)
