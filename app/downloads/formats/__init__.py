"""The whole-dataset files: a Frictionless Data Package, one JSON-LD graph and the W3C Web
Annotations of every citation.

Each format module exposes `build(session, target, *, base_url)`, which writes one file at
`target` from the public tables (`tables.py`) read in the caller's transaction. Tokens and
history are never read.
"""
