"""The pure core: business rules in plain Python. Standard-library imports only, no I/O."""
