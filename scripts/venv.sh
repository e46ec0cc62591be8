# Sourced by start.sh and test.sh from the project root: defines setup_venv, which creates
# .venv with python3 (3.11 or later, which Streamlit 1.67 needs) and installs
# requirements.txt. Pip is skipped when a stamp shows requirements.txt unchanged since
# the last successful install.

VENV=.venv
STAMP="$VENV/.requirements.sha256"

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "$0: Python 3.11 or later is required, found $(python3 --version 2>&1)." >&2
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
