"""Settings: keys in any letter case, from the environment or .env, never shown."""

import pytest

from kling_ui.config import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in (
        "KLING_ACCESS_KEY",
        "KLING_SECRET_KEY",
        "Kling_Access_Key",
        "Kling_Secret_Key",
        "KLING_API_KEY",
        "Kling_API_Key",
        "KLING_BASE_URL",
        "KLING_REGION",
        "KLING_UI_DATA_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("name", ["Kling_Access_Key", "KLING_ACCESS_KEY", "kling_access_key"])
def test_keys_are_read_in_any_letter_case(monkeypatch, name):
    monkeypatch.setenv(name, "ak-from-env")
    monkeypatch.setenv("Kling_Secret_Key", "sk-from-env")
    settings = Settings()
    assert settings.access_key.get_secret_value() == "ak-from-env"
    assert settings.has_keys and not settings.demo_mode


def test_keys_are_read_from_a_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("Kling_Access_Key=ak-dotenv\nKling_Secret_Key=sk-dotenv\n")
    settings = Settings()
    assert settings.secret_key.get_secret_value() == "sk-dotenv"


def test_no_keys_and_no_base_url_is_demo_mode():
    assert Settings().demo_mode


def test_blank_keys_count_as_unset(monkeypatch):
    monkeypatch.setenv("KLING_ACCESS_KEY", "  ")
    monkeypatch.setenv("KLING_SECRET_KEY", "")
    assert Settings().demo_mode


def test_repr_never_shows_the_keys(monkeypatch):
    monkeypatch.setenv("KLING_ACCESS_KEY", "ak-very-secret")
    monkeypatch.setenv("KLING_SECRET_KEY", "sk-very-secret")
    shown = repr(Settings()) + str(Settings()) + str(Settings().model_dump())
    assert "ak-very-secret" not in shown and "sk-very-secret" not in shown


def test_region_picks_the_endpoint(monkeypatch):
    monkeypatch.setenv("KLING_REGION", "singapore")
    assert Settings().endpoint == "https://api-singapore.klingai.com"


def test_base_url_wins_over_region(monkeypatch):
    monkeypatch.setenv("KLING_BASE_URL", "http://127.0.0.1:9999/")
    assert Settings().endpoint == "http://127.0.0.1:9999"


def test_seed_defaults():
    s = Settings()
    assert (
        s.default_model,
        s.default_duration,
        s.poll_interval,
        s.task_timeout,
        s.concurrency,
    ) == ("kling-v2-6", "5", 5.0, 300.0, 3)


@pytest.mark.parametrize("name", ["Kling_API_Key", "KLING_API_KEY", "kling_api_key"])
def test_a_single_api_key_is_read_in_any_letter_case(monkeypatch, name):
    monkeypatch.setenv(name, "api-from-env")
    settings = Settings()
    assert settings.api_key.get_secret_value() == "api-from-env"
    assert settings.has_keys and not settings.has_key_pair and not settings.demo_mode
    assert "api-from-env" in settings.secrets()


def test_an_api_key_is_read_from_a_dotenv_file_and_never_shown(tmp_path):
    (tmp_path / ".env").write_text("Kling_API_Key=api-dotenv-secret\n")
    settings = Settings()
    assert settings.api_key.get_secret_value() == "api-dotenv-secret"
    shown = repr(settings) + str(settings) + str(settings.model_dump())
    assert "api-dotenv-secret" not in shown


def test_a_blank_api_key_counts_as_unset(monkeypatch):
    monkeypatch.setenv("KLING_API_KEY", "   ")
    settings = Settings()
    assert settings.api_key is None and settings.demo_mode
