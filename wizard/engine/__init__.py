"""The local sync engine: everything the wizard does, with no Qt (a test enforces it)."""
