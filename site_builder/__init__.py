"""site-builder: milestone status sites from plans kept in git."""

__version__ = "0.2.0"
