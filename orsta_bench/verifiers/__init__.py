"""Built-in verifiers; importing this package registers them (see registry.py)."""
