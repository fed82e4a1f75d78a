"""The Clio Manage API v4 emulator: OAuth, the API subset LegalConnect Desktop uses, file storage."""
