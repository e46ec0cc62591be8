#!/usr/bin/env bash
# Install the dependencies into .venv when needed, then serve the application on
# http://localhost:8501 (server.py: app.py plus the sign-in routes). Extra arguments go
# to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck source=scripts/venv.sh
source scripts/venv.sh

setup_venv

exec "$VENV/bin/streamlit" run server.py \
    --server.port 8501 --server.address localhost --server.headless true "$@"
