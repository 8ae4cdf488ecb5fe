"""Build the explainer: `python build.py --help` lists the commands and options."""

import sys

from counterpoint.cli import main

if __name__ == "__main__":
    sys.exit(main())
