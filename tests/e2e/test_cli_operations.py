"""The operator's CLI as run from a shell: listings, one-line errors with exit codes that say what
went wrong, and a non-zero exit for ids that do not exist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credithub.db.pool import create_pool, transaction
from credithub.domain.subjects import SubjectKind
from tests import factories
from tests.e2e.test_cli import cli_env, run_cli, run_cli_async

pytestmark = pytest.mark.slow  # one process per command: about 17 of them

KEY_A = "a" * 40
KEY_B = "b" * 40


@pytest.fixture
def env(fresh_dsn: str, tmp_path: Path) -> dict[str, str]:
    return cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY=KEY_A)


def test_client_and_platform_lists_show_what_was_registered_and_never_a_token(env: dict[str, str]) -> None:
    platform = json.loads(run_cli("platform", "add", "shopmall", "--name", "ShopMall", env=env).stdout)
    viewer = json.loads(run_cli("client", "add", "Risk dashboard", "--role", "viewer", env=env).stdout)
    assert run_cli("client", "revoke", str(viewer["id"]), env=env).returncode == 0
    listed = run_cli("client", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [c["name"] for c in json.loads(listed.stdout)["clients"]] == ["ShopMall"]  # revoked ones left out
    everyone = json.loads(run_cli("client", "list", "--all", env=env).stdout)["clients"]
    assert {c["name"]: c["revoked_at"] is not None for c in everyone} == {"ShopMall": False, "Risk dashboard": True}
    assert platform["token"] not in listed.stdout + json.dumps(everyone)
    platforms = json.loads(run_cli("platform", "list", env=env).stdout)["platforms"]
    assert platforms == [
        {"code": "shopmall", "name": "ShopMall", "family": "standard", "api_url": None, "push_url": None}
    ]


def test_outbox_list_shows_the_messages_in_one_state(env: dict[str, str]) -> None:
    listed = run_cli("outbox", "list", "--status", "dead", env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"messages": []}
    wrong = run_cli("outbox", "list", "--status", "LOST", env=env)
    assert wrong.returncode == 2
    assert "invalid choice" in wrong.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("client", "revoke", "987654"),
        ("outbox", "attempts", "987654"),
        ("outbox", "replay", "--id", "987654"),
        ("platform", "set", "nowhere", "--push-url", "https://example.com/hook"),
        ("platform", "codes", "nowhere"),
    ],
)
def test_an_unknown_id_exits_non_zero_with_one_line(env: dict[str, str], args: tuple[str, ...]) -> None:
    result = run_cli(*args, env=env)
    assert result.returncode == 1, result
    assert "987654" in result.stderr or "nowhere" in result.stderr
    assert len(result.stderr.strip().splitlines()[-1]) < 200
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line_and_exit_code_3(tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL="postgresql://nobody:secret-pw@127.0.0.1:1/credithub", CREDITHUB_DATA_DIR=str(tmp_path))
    result = run_cli("client", "list", env=env)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "cannot reach 127.0.0.1:1/credithub" in result.stderr
    assert "secret-pw" not in result.stderr


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "postgresql://u@localhost:port/db"])
def test_a_bad_database_url_is_a_configuration_error(tmp_path: Path, url: str) -> None:
    result = run_cli("platform", "list", env=cli_env(DATABASE_URL=url, CREDITHUB_DATA_DIR=str(tmp_path)))
    assert result.returncode == 2
    assert result.stderr.startswith("configuration error: DATABASE_URL")
    assert "Traceback" not in result.stderr


def test_another_person_key_is_refused_with_exit_code_4(env: dict[str, str]) -> None:
    assert run_cli("platform", "list", env=env).returncode == 0  # the database now knows key A
    result = run_cli("platform", "list", env={**env, "CREDITHUB_SECRET_KEY": KEY_B})
    assert result.returncode == 4
    assert "not the key this database was created with" in result.stderr
    assert "Traceback" not in result.stderr


async def test_recompute_statuses_stores_those_a_bulk_load_left_missing(fresh_dsn: str, env: dict[str, str]) -> None:
    pool = await create_pool(fresh_dsn, min_size=1, max_size=1)
    try:
        async with transaction(pool) as conn:
            await conn.execute("SET LOCAL session_replication_role = replica")  # as a bulk load: no triggers
            loaded = [await factories.subject(conn, SubjectKind.MERCHANT) for _ in range(3)]
        code, out, err = await run_cli_async("recompute-statuses", env=env)
        assert code == 0, err
        assert json.loads(out) | {"seconds": 0} == {"recomputed": 3, "missing": 3, "seconds": 0}
        stored = await pool.fetchval(
            "SELECT count(*) FROM subject_statuses WHERE subject_id = ANY($1::bigint[])", [s.id for s in loaded]
        )
        assert stored == 3
        code, out, err = await run_cli_async("recompute-statuses", env=env)
        assert json.loads(out) | {"seconds": 0} == {"recomputed": 0, "missing": 0, "seconds": 0}
    finally:
        await pool.close()


async def test_recompute_statuses_in_several_processes_stores_each_status_once(
    fresh_dsn: str, env: dict[str, str]
) -> None:
    pool = await create_pool(fresh_dsn, min_size=1, max_size=1)
    try:
        async with transaction(pool) as conn:
            await conn.execute("SET LOCAL session_replication_role = replica")  # as a bulk load: no triggers
            loaded = [await factories.subject(conn, SubjectKind.MERCHANT) for _ in range(30)]
        code, out, err = await run_cli_async("recompute-statuses", "--processes", "3", "--concurrency", "1", env=env)
        assert code == 0, err
        assert json.loads(out) | {"seconds": 0} == {"recomputed": 30, "missing": 30, "seconds": 0}
        assert "recomputed 30 statuses" in err  # the processes' progress, added up, on stderr
        stored = await pool.fetch(
            "SELECT subject_id, count(*) FROM subject_statuses WHERE subject_id = ANY($1::bigint[]) GROUP BY 1",
            [s.id for s in loaded],
        )
        assert len(stored) == 30
        code, out, err = await run_cli_async("recompute-statuses", "--processes", "2", env=env)
        assert json.loads(out) | {"seconds": 0} == {"recomputed": 0, "missing": 0, "seconds": 0}  # nothing left
    finally:
        await pool.close()


def test_recompute_statuses_refuses_zero_processes(env: dict[str, str]) -> None:
    result = run_cli("recompute-statuses", "--processes", "0", env=env)
    assert result.returncode == 2
    assert "--processes: must be at least 1, got 0" in result.stderr
