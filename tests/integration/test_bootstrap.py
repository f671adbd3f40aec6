from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from credithub import bootstrap
from credithub.db import meta
from credithub.services import clients, demo
from credithub.services.ports import Deps
from credithub.settings import Settings
from tests.conftest import make_settings


async def test_open_deps_migrates_and_remembers_the_key(empty_dsn: str, tmp_path: Path) -> None:
    settings = make_settings(empty_dsn, tmp_path)
    async with bootstrap.open_deps(settings) as deps:
        assert await deps.pool.fetchval("SELECT count(*) FROM schema_migrations") > 0
        assert await meta.get(deps.pool, bootstrap.KEY_FINGERPRINT_META) == bootstrap.key_fingerprint(deps.person_key)


async def test_a_different_person_key_is_refused(fresh_dsn: str, tmp_path: Path) -> None:
    async with bootstrap.open_deps(make_settings(fresh_dsn, tmp_path)):
        pass
    other = make_settings(fresh_dsn, tmp_path, secret_key="another-key-that-is-long-enough-0123456789")
    with pytest.raises(bootstrap.KeyMismatch):
        async with bootstrap.open_deps(other):
            pass


def test_without_a_configured_key_one_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = bootstrap.load_person_key(settings)
    assert bootstrap.load_person_key(settings) == first
    mode = (tmp_path / bootstrap.KEY_FILE_NAME).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


async def test_demo_preparation_loads_the_world_once_and_keeps_its_credentials(
    fresh_deps: Deps, tmp_path: Path
) -> None:
    deps = dataclasses.replace(fresh_deps, settings=fresh_deps.settings.with_changes(data_dir=tmp_path))
    first = await demo.prepare_demo(deps)
    subjects = await deps.pool.fetchval("SELECT count(*) FROM subjects")
    assert subjects >= 5000
    loaded = (await meta.get(deps.pool, demo.DEMO_META_KEY))["counts"]
    for table, key in [
        ("subjects", "subjects"),
        ("persons", "persons"),
        ("accounts", "accounts"),
        ("mcn_signings", "mcn_signings"),
        ("legal_representatives", "legal_representatives"),
        ("credit_records", "records"),
        ("record_status_changes", "status_changes"),
        ("list_entries", "list_entries"),
    ]:
        # every generated row must land: a forgotten COPY once dropped all the list entries
        assert await deps.pool.fetchval(f"SELECT count(*) FROM {table}") == loaded[key], table
    assert await deps.pool.fetchval("SELECT count(*) FROM list_entry_records") >= loaded["list_entries"]
    again = await demo.prepare_demo(deps)
    assert again == first
    assert await deps.pool.fetchval("SELECT count(*) FROM subjects") == subjects
    assert await clients.authenticate(deps, first["clients"]["admin"]) is not None
    assert set(first["platforms"]) == {"shopmall", "bazaar", "livewave"}
    mode = (tmp_path / demo.CREDENTIALS_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


async def test_two_instances_starting_together_on_a_new_database_agree_on_the_key(
    empty_dsn: str, tmp_path: Path
) -> None:
    import asyncio

    settings = make_settings(empty_dsn, tmp_path)

    async def start() -> bytes:
        async with bootstrap.open_deps(settings) as deps:
            return deps.person_key

    first, second = await asyncio.gather(start(), start())
    assert first == second
