"""Errors a backend raises at construction for settings the user can fix (exit 2)."""


class BackendConfigError(ValueError):
    """A backend setting the user can fix; the message names it and the accepted values."""
