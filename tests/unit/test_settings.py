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
        ({"CREDITHUB_SECRET_KEY": "short"}, "CREDITHUB_SECRET_KEY"),
        ({"CREDITHUB_CORS_ORIGINS": "dashboard.example.com"}, "CREDITHUB_CORS_ORIGINS"),
        ({"CREDITHUB_CORS_ORIGINS": "https://example.com/dashboard"}, "CREDITHUB_CORS_ORIGINS"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_no_origin_may_call_from_a_browser_unless_configured() -> None:
    assert Settings.from_env({}).cors_origins == ()
    configured = Settings.from_env({"CREDITHUB_CORS_ORIGINS": " https://risk.example.com/, http://127.0.0.1:5173 "})
    assert configured.cors_origins == ("https://risk.example.com", "http://127.0.0.1:5173")


def test_the_inbox_backlog_limit_has_a_default_and_zero_turns_it_off() -> None:
    assert Settings.from_env({}).inbox_backlog_limit == 20_000
    assert Settings.from_env({"CREDITHUB_INBOX_BACKLOG_LIMIT": "500"}).inbox_backlog_limit == 500
    assert Settings.from_env({"CREDITHUB_INBOX_BACKLOG_LIMIT": "0"}).inbox_backlog_limit == 0
    with pytest.raises(SettingsError, match="CREDITHUB_INBOX_BACKLOG_LIMIT"):
        Settings.from_env({"CREDITHUB_INBOX_BACKLOG_LIMIT": "-1"})
