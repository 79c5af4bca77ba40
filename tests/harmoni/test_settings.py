import pytest
from pydantic import ValidationError

from harmoni.settings import Environment, Settings, StorageBackend

STRONG = "k" * 40


def production(**overrides) -> Settings:
    values = {"env": "production", "secret_key": STRONG, "wallet_encryption_key": STRONG,
              "database_url": "postgresql://db/harmoni", "rpc_url": "https://polygon.example/rpc"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def test_development_defaults_select_the_embedded_stack():
    settings = Settings(_env_file=None)
    assert settings.env is Environment.development
    assert settings.embedded_database and settings.managed_chain
    assert settings.effective_rpc_url == "http://127.0.0.1:8545"
    assert settings.storage_backend is StorageBackend.filesystem


def test_env_prefix_selects_components(monkeypatch):
    monkeypatch.setenv("HARMONI_RPC_URL", "https://rpc.example")
    monkeypatch.setenv("HARMONI_CHAIN_ID", "80002")
    monkeypatch.setenv("HARMONI_STORAGE_BACKEND", "s3")
    settings = Settings(_env_file=None)
    assert settings.effective_rpc_url == "https://rpc.example" and not settings.managed_chain
    assert settings.chain_id == 80002 and settings.storage_backend is StorageBackend.s3


def test_dotenv_file_is_read(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("HARMONI_API_PORT=9123\nHARMONI_REDIS_URL=redis://r:6379/1\n")
    settings = Settings(_env_file=env_file)
    assert settings.api_port == 9123 and settings.redis_url == "redis://r:6379/1"


def test_production_accepts_real_secrets():
    assert production().env is Environment.production


@pytest.mark.parametrize(("field", "value", "named"), [
    ("secret_key", "change-me", "HARMONI_SECRET_KEY"),
    ("secret_key", "", "HARMONI_SECRET_KEY"),
    ("secret_key", "short-but-not-placeholder", "HARMONI_SECRET_KEY"),
    ("wallet_encryption_key", "changeme", "HARMONI_WALLET_ENCRYPTION_KEY"),
    ("database_url", "", "HARMONI_DATABASE_URL"),
    ("rpc_url", "", "HARMONI_RPC_URL"),
])
def test_production_refuses_placeholders_and_names_the_variable(field, value, named):
    with pytest.raises(ValidationError) as info:
        production(**{field: value})
    assert named in str(info.value)


def test_refusal_never_echoes_the_secret():
    with pytest.raises(ValidationError) as info:
        production(secret_key="tiny-secret-value")
    assert "tiny-secret-value" not in str(info.value)
