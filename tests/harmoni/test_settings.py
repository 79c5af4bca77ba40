import json

import pytest
from pydantic import ValidationError

from harmoni.settings import DEV_SECRETS_FILE, PLACEHOLDER_SECRETS, Environment, Settings, StorageBackend

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


def test_development_secrets_are_random_and_kept_in_the_data_directory(tmp_path):
    first = Settings(_env_file=None, env="test", data_dir=tmp_path / "a")
    assert not (tmp_path / "a").exists()  # made when first used: a command that stops early creates nothing
    again = Settings(_env_file=None, env="development", data_dir=tmp_path / "a")  # another process of the stack
    other = Settings(_env_file=None, env="test", data_dir=tmp_path / "b")
    secret = first.secret_key.get_secret_value()
    assert len(secret) >= 32 and secret not in PLACEHOLDER_SECRETS
    assert again.secret_key.get_secret_value() == secret and other.secret_key.get_secret_value() != secret
    assert first.wallet_encryption_key.get_secret_value() not in (secret, "change-me")
    stored = tmp_path / "a" / DEV_SECRETS_FILE
    assert json.loads(stored.read_text())["secret_key"] == secret and stored.stat().st_mode & 0o777 == 0o600
    # What the old fixed default sealed stays readable; nothing is sealed under it any more.
    assert first.wallet_encryption_previous_keys.get_secret_value() == "change-me"


@pytest.mark.parametrize("value", ["change-me", "", "secret"])
def test_a_placeholder_never_signs_even_in_test(tmp_path, value):
    settings = Settings(_env_file=None, env="test", data_dir=tmp_path, secret_key=value)
    assert settings.secret_key.get_secret_value() == json.loads((tmp_path / DEV_SECRETS_FILE).read_text())[
        "secret_key"]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.0.2.10", "api.internal"])  # noqa: S104
@pytest.mark.parametrize("env", ["development", "test"])
def test_placeholders_are_refused_when_the_api_listens_beyond_loopback(tmp_path, host, env):
    with pytest.raises(ValidationError, match="HARMONI_SECRET_KEY") as info:
        Settings(_env_file=None, env=env, data_dir=tmp_path, api_host=host, wallet_encryption_key=STRONG)
    assert "refusing to listen" in str(info.value) and not (tmp_path / DEV_SECRETS_FILE).exists()
    real = Settings(_env_file=None, env=env, data_dir=tmp_path, api_host=host, secret_key=STRONG,
                    wallet_encryption_key=STRONG)
    assert real.secret_key.get_secret_value() == STRONG


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_may_use_generated_secrets(tmp_path, host):
    assert Settings(_env_file=None, data_dir=tmp_path, api_host=host).secret_key.get_secret_value()
