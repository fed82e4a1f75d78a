"""Clio Manage: connecting (OAuth, tokens that last) and the API client.

`auth` owns the connection lifecycle: the authorize URL, the redirect, the code exchange and refreshes
through the Service Provider's token broker (or the firm's own app keys in direct mode), and the
tokens in the keyring. `api` talks to Clio's REST API with the access tokens `auth` hands out.
"""
