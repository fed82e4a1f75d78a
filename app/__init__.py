"""LegalConnect Desktop: eFile court documents through a LegalConnect Service Provider, with Clio."""

__version__ = "0.1.0"
