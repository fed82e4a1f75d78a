"""Pieces both sandbox servers share: fault knobs, the admin endpoint, SQLite helpers."""
