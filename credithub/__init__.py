"""Platform Credit Hub: shared public credit status for the platform economy."""
