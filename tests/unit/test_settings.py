from __future__ import annotations

from pathlib import Path

import pytest

from credithub.settings import Settings, SettingsError


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.data_dir == Path(".data")
    assert settings.introspection is True


def test_values_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://db/credithub",
            "CREDITHUB_DATA_DIR": "/var/lib/credithub",
            "CREDITHUB_INTROSPECTION": "off",
            "CREDITHUB_DB_POOL_SIZE": "20",
            "CACHE_URL": "redis://localhost:6379",
        }
    )
    assert (settings.database_url, settings.data_dir, settings.introspection, settings.pool_size) == (
        "postgresql://db/credithub",
        Path("/var/lib/credithub"),
        False,
        20,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CREDITHUB_INTROSPECTION": "maybe"}, "CREDITHUB_INTROSPECTION"),
        ({"CREDITHUB_DB_POOL_SIZE": "ten"}, "CREDITHUB_DB_POOL_SIZE"),
        ({"CREDITHUB_DB_POOL_SIZE": "0"}, "CREDITHUB_DB_POOL_SIZE"),
        ({"CREDITHUB_STATUS_CACHE_ENTRIES": "0"}, "CREDITHUB_STATUS_CACHE_ENTRIES"),
        ({"CREDITHUB_SECRET_KEY": "short"}, "CREDITHUB_SECRET_KEY"),
        ({"CREDITHUB_CORS_ORIGINS": "dashboard.example.com"}, "CREDITHUB_CORS_ORIGINS"),
        ({"CREDITHUB_CORS_ORIGINS": "https://example.com/dashboard"}, "CREDITHUB_CORS_ORIGINS"),
        ({"DATABASE_REPLICA_URL": "postgresql://replica/credithub"}, "DATABASE_REPLICA_URL needs DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://db/c", "DATABASE_REPLICA_URL": "mysql://replica/c"}, "DATABASE_REPLICA_URL"),
        ({"CREDITHUB_REPLICA_MAX_LAG": "31"}, "CREDITHUB_REPLICA_MAX_LAG"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_no_origin_may_call_from_a_browser_unless_configured() -> None:
    assert Settings.from_env({}).cors_origins == ()
    configured = Settings.from_env({"CREDITHUB_CORS_ORIGINS": " https://risk.example.com/, http://127.0.0.1:5173 "})
    assert configured.cors_origins == ("https://risk.example.com", "http://127.0.0.1:5173")


def test_a_replica_is_optional_and_named_beside_its_primary() -> None:
    assert (Settings.from_env({}).replica_url, Settings.from_env({}).replica_max_lag) == (None, 5.0)
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://primary/credithub",
            "DATABASE_REPLICA_URL": "postgresql://replica/credithub",
            "CREDITHUB_REPLICA_MAX_LAG": "2",
        }
    )
    assert (settings.replica_url, settings.replica_max_lag) == ("postgresql://replica/credithub", 2.0)


@pytest.mark.parametrize(
    ("env", "role", "runs_workers"),
    [
        ({}, "all", True),
        ({"CREDITHUB_ROLE": "api"}, "api", False),
        ({"CREDITHUB_ROLE": "Workers"}, "workers", True),
        ({"CREDITHUB_WORKERS": "false"}, "api", False),  # the older switch still means "no background work here"
        ({"CREDITHUB_WORKERS": "false", "CREDITHUB_ROLE": "api"}, "api", False),
    ],
)
def test_a_process_role_comes_from_credithub_role_or_the_older_workers_switch(
    env: dict[str, str], role: str, runs_workers: bool
) -> None:
    settings = Settings.from_env(env)
    assert (settings.role, settings.acting_role, settings.runs_workers) == (role, role, runs_workers)
    assert settings.serves_api is (role != "workers")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CREDITHUB_ROLE": "scheduler"}, "CREDITHUB_ROLE"),
        ({"CREDITHUB_ROLE": "workers", "CREDITHUB_WORKERS": "false"}, "CREDITHUB_WORKERS=false contradicts"),
        ({"CREDITHUB_SERVE_WORKERS": "0"}, "CREDITHUB_SERVE_WORKERS"),
    ],
)
def test_a_role_or_process_count_that_cannot_be_is_refused(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_the_number_of_serving_processes_defaults_to_none_meaning_one_per_core() -> None:
    assert Settings.from_env({}).serve_workers is None
    assert Settings.from_env({"CREDITHUB_SERVE_WORKERS": "3"}).serve_workers == 3


def test_the_inbox_backlog_limit_has_a_default_and_zero_turns_it_off() -> None:
    assert Settings.from_env({}).inbox_backlog_limit == 20_000
    assert Settings.from_env({"CREDITHUB_INBOX_BACKLOG_LIMIT": "500"}).inbox_backlog_limit == 500
    assert Settings.from_env({"CREDITHUB_INBOX_BACKLOG_LIMIT": "0"}).inbox_backlog_limit == 0
    with pytest.raises(SettingsError, match="CREDITHUB_INBOX_BACKLOG_LIMIT"):
        Settings.from_env({"CREDITHUB_INBOX_BACKLOG_LIMIT": "-1"})


def test_the_direct_graphql_path_is_on_unless_switched_off() -> None:
    assert Settings.from_env({}).graphql_direct is True
    assert Settings.from_env({"CREDITHUB_GRAPHQL_DIRECT": "false"}).graphql_direct is False
