"""d365-wizard: configure Dynamics 365 / Dataverse organizations and synchronize a mailbox."""

__version__ = "0.1.0"
APP_NAME = "d365-wizard"
