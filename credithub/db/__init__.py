"""asyncpg: the only code that runs SQL. Queries live in sql/*.sql as named queries."""
