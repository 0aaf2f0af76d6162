"""``python -m traverse.cli``: the ``traverse`` command."""

import sys

from traverse.cli import main

sys.exit(main())
