"""The sandbox world: local stand-ins for Clio Manage and a LegalConnect Service Provider.

Both servers are real ASGI applications served by uvicorn on loopback. The desktop app talks to
them over HTTP with the same client code it uses in production; only the base URLs differ.
"""
