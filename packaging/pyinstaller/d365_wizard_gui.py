"""Frozen entry point of ``d365-wizard`` (the GUI)."""

import sys

from wizard.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
