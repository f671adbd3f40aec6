"""Use cases: load, decide with the domain, save, all in one visible transaction."""
