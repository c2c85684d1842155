"""Frozen entry point of ``d365-orgs`` (the command line)."""

import sys

from wizard.cli import main

if __name__ == "__main__":
    sys.exit(main())
