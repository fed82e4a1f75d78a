"""Widgets and dialogs: render, validate, hand work to services."""
