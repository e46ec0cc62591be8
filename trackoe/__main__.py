"""Entry point of `python -m trackoe`: see trackoe.cli."""

import sys

from trackoe.cli import main

sys.exit(main())
