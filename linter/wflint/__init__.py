"""wflint: workflows fast without making them wrong."""
__version__ = "0.1.0"
