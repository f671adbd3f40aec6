"""Forward-only migrations: plain SQL files in migrations/, applied in order, each once.

Every file runs in its own transaction together with the row that records it (version,
name, SHA-256 of the text). A file changed after it was applied is an error, and so is an
applied version the code does not know (the database is ahead of the code). Two processes
migrating at once are serialised by a session advisory lock.

    MigrationError
    ├── BadMigrationFile     a file name is not NNNN_<name>.sql, or a version is used twice
    ├── ChecksumMismatch     an applied file has been edited since
    └── UnknownMigration     the database has a version no file provides
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import asyncpg

from credithub.db.queries import QUERIES

MIGRATIONS_DIR: Final = Path(__file__).resolve().parents[2] / "migrations"
# pg_advisory_lock key: any constant shared by every process of this hub ('credithub' in ASCII).
MIGRATION_LOCK_KEY: Final = 0x6372656469746875
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

_SQL: Final = QUERIES["schema_migrations"]
logger = logging.getLogger(__name__)


class MigrationError(Exception):
    """The migrations on disk and in the database disagree; nothing was applied."""


class BadMigrationFile(MigrationError):
    """A file in migrations/ is not named NNNN_<name>.sql, or two files share a version."""


class ChecksumMismatch(MigrationError):
    """A migration that was already applied has been edited since."""


class UnknownMigration(MigrationError):
    """The database records a migration that no file on disk provides."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


# Released migrations whose comments were reworded after release (the SQL is unchanged): a
# database that applied the earlier text is accepted under that text's checksum.
EARLIER_CHECKSUMS: Final = {5: "5fc95aebd7b1a4499042e2221da67fefb138a154c5eeb9815b16ab35df3e1727"}


def read_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise BadMigrationFile(f"{path.name}: migration files must be named NNNN_<name>.sql")
        version = int(match["version"])
        if version in migrations:
            raise BadMigrationFile(f"{path.name}: version {version} is already used by {migrations[version].name}")
        migrations[version] = Migration(version, match["name"], path.read_text(encoding="utf-8"))
    return [migrations[version] for version in sorted(migrations)]


def _check_applied(migrations: list[Migration], applied: dict[int, str]) -> None:
    on_disk = {migration.version: migration for migration in migrations}
    for version, checksum in sorted(applied.items()):
        migration = on_disk.get(version)
        if migration is None:
            raise UnknownMigration(f"the database has migration {version:04d}, which is not in migrations/")
        if checksum not in (migration.checksum, EARLIER_CHECKSUMS.get(version)):
            raise ChecksumMismatch(
                f"migrations/{version:04d}_{migration.name}.sql was changed after it was applied; "
                "add a new migration instead of editing an applied one"
            )


async def apply_migrations(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply the pending migrations in order; returns the ones applied now."""
    migrations = read_migrations(directory)
    await conn.execute(_SQL["lock"], MIGRATION_LOCK_KEY)
    try:
        await conn.execute(_SQL["create_table"])
        rows = await conn.fetch(_SQL["list_applied"])
        applied = {row["version"]: row["checksum"] for row in rows}
        _check_applied(migrations, applied)
        pending = [migration for migration in migrations if migration.version not in applied]
        for migration in pending:
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(_SQL["insert_applied"], migration.version, migration.name, migration.checksum)
            logger.info("applied migration %04d_%s", migration.version, migration.name)
        return pending
    finally:
        await conn.execute(_SQL["unlock"], MIGRATION_LOCK_KEY)
