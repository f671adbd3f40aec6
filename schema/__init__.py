"""Strawberry types only: no SQL, no HTTP, no service calls. Fields read through the
per-request loaders in `schema.context`."""
