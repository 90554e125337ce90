"""The error that ends a command: something the operator must fix before Sportello can run."""


class StartupError(Exception):
    """Something the operator must fix before Sportello can run; the message says what."""
