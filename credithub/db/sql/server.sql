-- Statements against the server's maintenance database, used when starting the embedded server.

-- database_exists --
-- Whether the hub's database (named in $1) exists on this server.
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1);

-- create_database --
-- The hub's own database on the embedded server (the name is the constant DATABASE_NAME).
CREATE DATABASE credithub;
