"""`python -m jiesu …` is the `jiesu` command (for environments where the script is not on PATH)."""

import sys

from jiesu.cli import main

sys.exit(main())
