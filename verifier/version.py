"""The package's version (the one place it is written; :data:`verifier.__version__`)."""

__version__ = "0.1.0"
