"""LegalConnect service client and its typed records."""
