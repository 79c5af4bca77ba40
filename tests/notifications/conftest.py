import pytest
from pydantic import SecretStr

from harmoni.settings import Settings
from tests.api.conftest import api, api_settings, live_api  # noqa: F401 -- the app fixtures, for these tests too


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url, data_dir=tmp_path / "var")


@pytest.fixture
def smtp_server():
    """(handler, port) of a real SMTP server on 127.0.0.1 for this test."""
    from notifications import catcher
    from tests.conftest import free_port
    from tests.notifications.smtp import ScriptedHandler

    handler, port = ScriptedHandler(), free_port()
    controller = catcher.start(port, handler=handler)
    yield handler, port
    controller.stop()


@pytest.fixture
def mail_settings(settings, smtp_server) -> Settings:
    _, port = smtp_server
    return settings.model_copy(update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{port}"),
                                       "notification_email_delay_s": 0, "email_retry_base_s": 60})
