"""``python -m verifier`` is the ``verifier`` command."""

import sys

from verifier.cli import main

sys.exit(main())
