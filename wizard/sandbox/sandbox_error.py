"""The sandbox's one error base. Its errors are the stand-in server's own (they become
HTTP answers); none shares a name with an engine error, so a traceback never leaves a
reader wondering which side raised it."""


class SandboxError(Exception):
    """Base of every error the sandbox raises on purpose."""
