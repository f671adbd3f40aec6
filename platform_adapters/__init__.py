"""Talking to platforms: one module per platform family behind one adapter protocol, and the
sync engine. Imports only `credithub.domain`; never touches PostgreSQL.

(The adapters arrive with the platform-sync work; the package exists so the layout is whole.)
"""
