from __future__ import annotations

import base64
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


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("CREDITHUB_LOG_LEVEL", "bogus", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("CREDITHUB_LOG_LEVEL", "NOTSET", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("CREDITHUB_LOG_FORMAT", "XML", "json or console"),
        ("CREDITHUB_GRAPHQL_DIRECT", "maybe", "true or false"),
        ("CREDITHUB_RATE_LIMIT", "-1", "a whole number, at least 0"),
        ("CREDITHUB_DB_POOL_SIZE", "1000001", "from 1 to 1000"),
        ("CREDITHUB_API_STATEMENT_TIMEOUT", "2.5", "a whole number from 1 to 2000000"),
        ("CREDITHUB_WORKER_STATEMENT_TIMEOUT", "9" * 400, "a whole number from 1 to 2000000"),
        ("CREDITHUB_PLATFORM_TIMEOUT", "0", "a whole number from 1 to 2000000"),
        ("CREDITHUB_SYNC_INTERVAL", "3000000", "a whole number from 1 to 2000000"),
        ("CREDITHUB_OBJECTION_DAYS", "5000000", "a whole number from 1 to 36500"),
        ("CREDITHUB_AUDIT_RETENTION_MONTHS", "50000", "a whole number from 1 to 1200"),
        ("CREDITHUB_ROLE", "Boss", "all, api or workers"),
    ],
)
def test_a_refusal_names_the_variable_the_value_as_given_and_what_is_accepted(
    name: str, value: str, accepted: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    message = str(refused.value)
    assert message.startswith(f"{name} must be")
    assert repr(value) in message
    assert accepted in message
    assert "\n" not in message


def test_a_refused_secret_key_is_not_repeated() -> None:
    with pytest.raises(SettingsError, match="CREDITHUB_SECRET_KEY") as refused:
        Settings.from_env({"CREDITHUB_SECRET_KEY": "hunter2-hunter2"})
    assert "hunter2" not in str(refused.value)


def test_a_refused_database_url_does_not_repeat_its_password() -> None:
    with pytest.raises(SettingsError, match="got a mysql URL") as refused:
        Settings.from_env({"DATABASE_URL": "mysql://app:s3cret@db/credithub"})
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "level"),
    [("debug", "DEBUG"), (" Info ", "INFO"), ("WARNING", "WARNING"), ("error", "ERROR"), ("critical", "CRITICAL")],
)
def test_the_log_level_is_any_standard_name_in_any_case(raw: str, level: str) -> None:
    assert Settings.from_env({"CREDITHUB_LOG_LEVEL": raw}).log_level == level


def test_the_largest_accepted_values_are_accepted() -> None:
    settings = Settings.from_env(
        {
            "CREDITHUB_WORKER_STATEMENT_TIMEOUT": "2000000",
            "CREDITHUB_DB_POOL_SIZE": "1000",
            "CREDITHUB_DEFENCE_DAYS": "36500",
            "CREDITHUB_AUDIT_RETENTION_MONTHS": "1200",
            "CREDITHUB_LOG_FORMAT": "Console",
        }
    )
    assert (
        settings.worker_statement_timeout,
        settings.pool_size,
        settings.defence_days,
        settings.audit_retention_months,
        settings.log_format,
    ) == (2_000_000.0, 1000, 36500, 1200, "console")


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must look like redis://host:6379/0, got a memcached URL"),
        ({"CACHE_URL": "redis://cache:port/0"}, "CACHE_URL must look like redis://host:6379/0: Port could not be cast"),
        ({"CACHE_URL": "redis://cache:6379/sessions"}, "the database after the host is a number, got 'sessions'"),
        ({"CREDITHUB_REPORT_KEY": "bm90IGEga2V5"}, "CREDITHUB_REPORT_KEY must be an Ed25519 private key"),
    ],
)
def test_a_cache_url_or_report_key_that_cannot_be_used_is_refused_at_once(env: dict[str, str], reason: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert reason in str(refused.value)
    assert "bm90IGEga2V5" not in str(refused.value)  # a key is a secret, even a broken one


def test_a_usable_cache_url_and_report_key_are_kept_as_given() -> None:
    seed = base64.b64encode(bytes(range(32))).decode()
    settings = Settings.from_env({"CACHE_URL": "redis://:pw@cache:6379/2", "CREDITHUB_REPORT_KEY": seed})
    assert (settings.cache_url, settings.report_key) == ("redis://:pw@cache:6379/2", seed)
