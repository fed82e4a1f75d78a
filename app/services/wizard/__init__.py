"""The order wizard: a Qt-free flow over a typed draft, and the service that files it."""
