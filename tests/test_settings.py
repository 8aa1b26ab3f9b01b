from pathlib import Path

import pytest

from visitcoach.config import get_settings, reset_settings, setting_docs
from visitcoach.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_offline_by_default():
    assert get_settings().llm == "offline"
    assert get_settings().embeddings == "local"
    assert get_settings().chroma_url is None


@pytest.mark.parametrize("var", ["OPENAI_API_KEY", "VISITCOACH_OPENAI_BASE_URL"])
def test_llm_mode_follows_a_configured_key_or_url(monkeypatch, var):
    monkeypatch.setenv(var, "http://127.0.0.1:9/v1" if "URL" in var else "sk-test")
    reset_settings()
    assert get_settings().llm == "openai"


def test_explicit_offline_wins_over_a_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("VISITCOACH_LLM", "offline")
    reset_settings()
    assert get_settings().llm == "offline"


def test_unknown_setting_is_named(monkeypatch):
    monkeypatch.setenv("VISITCOACH_CHUNK_TOKEN", "100")  # typo of CHUNK_TOKENS
    reset_settings()
    with pytest.raises(ConfigError, match="VISITCOACH_CHUNK_TOKEN"):
        get_settings()


def test_invalid_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("VISITCOACH_LLM", "gpt")
    reset_settings()
    with pytest.raises(ConfigError, match="VISITCOACH_LLM"):
        get_settings()


def test_dotenv_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("VISITCOACH_DATA_DIR")
    (tmp_path / ".env").write_text("VISITCOACH_DATA_DIR=/tmp/from-dotenv\n", encoding="utf-8")
    reset_settings()
    assert str(get_settings().data_dir) == "/tmp/from-dotenv"


def test_every_setting_is_described_and_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for env, _default, description in setting_docs():
        assert description, f"{env} has no description"
        assert f"`{env}`" in readme, f"README.md does not document {env}"
