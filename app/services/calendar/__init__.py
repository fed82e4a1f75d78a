"""Hearing dates the court sets, put into Clio's calendar once (see `scheduler`)."""
