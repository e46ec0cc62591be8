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

# shellcheck source=scripts/venv.sh
source scripts/venv.sh

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
