"""Live states of an org in the main window (plain constants: cheap to import at start-up)."""


class OrgStatus:
    UNKNOWN = "unknown"
    CHECKING = "checking"
    CONNECTED = "connected"
    NEEDS_SIGN_IN = "needs_sign_in"
    MFA_NEEDED = "mfa_needed"
    OFFLINE = "offline"
    ERROR = "error"
    ALL = (UNKNOWN, CHECKING, CONNECTED, NEEDS_SIGN_IN, MFA_NEEDED, OFFLINE, ERROR)
