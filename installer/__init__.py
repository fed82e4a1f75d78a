"""Packaging of LegalConnect Desktop (PyInstaller spec, installers); see `./dev package`."""
