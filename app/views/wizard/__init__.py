"""The Place eFiling Order window: thin Qt pages over the Qt-free `app.services.wizard`."""
