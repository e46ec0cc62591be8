#!/usr/bin/env bash
# Install the dependencies into .venv when needed, then serve the application on
# http://localhost:8501. Extra arguments go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.requirements.sha256"

# Create .venv with python3 (3.11 or later, which Streamlit 1.67 needs) and install
# requirements.txt. Pip is skipped when the stamp shows that requirements.txt has not
# changed since the last successful install.
setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "start.sh: Python 3.11 or later is required, found $(python3 --version 2>&1)." >&2
            exit 1
        fi
        echo "Creating $VENV ..." >&2
        python3 -m venv "$VENV"
        rm -f "$STAMP"
    fi

    local checksum
    checksum=$(sha256sum requirements.txt | cut -d' ' -f1)
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$checksum" ]; then
        echo "Installing requirements.txt into $VENV ..." >&2
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
        echo "$checksum" > "$STAMP"
    fi
}

setup_venv

exec "$VENV/bin/streamlit" run app.py \
    --server.port 8501 --server.address localhost --server.headless true "$@"
