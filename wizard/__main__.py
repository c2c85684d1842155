"""``python -m wizard`` starts the GUI."""

import sys

from wizard.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
