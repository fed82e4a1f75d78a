"""The LegalConnect emulator: a Service Provider's portal API, its court clerk and its seed data."""
