"""Seed data for the sandbox world: the fictional firm, its provider and generated files."""
