#!/usr/bin/env bash
# Install the dependencies into .venv when needed, then run pytest with the given
# arguments (for example `./test.sh -m "not browser"` or `./test.sh tests/test_normalise.py`).
#
# Each database test runs on SQLite, and on PostgreSQL too when TRACKOE_TEST_POSTGRES_URL
# contains a server URL such as postgresql+psycopg://postgres@127.0.0.1:5432/postgres
# (the tests create and drop their own databases there). Without it the PostgreSQL half
# is skipped, except when CI is set: then a missing or unreachable server fails the run.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.requirements.sha256"

# Same setup as start.sh: create .venv and install requirements.txt when it changed.
setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "test.sh: Python 3.11 or later is required, found $(python3 --version 2>&1)." >&2
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

# Fail early when the PostgreSQL half of the suite was requested (or CI requires it)
# but cannot run, instead of letting pytest skip it.
check_postgres() {
    local url="${TRACKOE_TEST_POSTGRES_URL:-}"
    if [ -z "$url" ]; then
        if [ -n "${CI:-}" ]; then
            echo "test.sh: CI is set but TRACKOE_TEST_POSTGRES_URL is missing, so the PostgreSQL tests would be skipped. Run bash .ci/run or set it." >&2
            exit 1
        fi
        return 0
    fi

    if ! "$VENV/bin/python" - "$url" <<'PYTHON'
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
try:
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
except Exception as error:
    print(f"connection failed to {url.render_as_string(hide_password=True)}: {error}", file=sys.stderr)
    sys.exit(1)
PYTHON
    then
        echo "test.sh: PostgreSQL named by TRACKOE_TEST_POSTGRES_URL is unreachable. Start the server, or unset the variable to skip the PostgreSQL tests." >&2
        exit 1
    fi
}

setup_venv
check_postgres

exec "$VENV/bin/python" -m pytest "$@"
