import pytest

from tests.api.conftest import api, api_settings  # noqa: F401 -- the app on the test database
from tests.identity.factories import make_user


@pytest.fixture
def people(api):  # noqa: F811
    """Make signed-in accounts on the test app: people("artist", handle="mira")."""
    context = api.app.state.context

    def make(*roles: str, handle: str | None = None):
        user = make_user(context.sessions, context.settings, *(roles or ("fan",)))
        if handle:
            assert api.put("/v1/me/social-profile", json={"handle": handle}, headers=user.headers).status_code == 200
        return user

    return make


@pytest.fixture
def configure(api):  # noqa: F811
    def apply(**overrides) -> None:
        context = api.app.state.context
        context.settings = context.settings.model_copy(update=overrides)

    return apply
