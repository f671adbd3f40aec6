"""Edges of the service: HTTP app, GraphQL view, CLI."""
