from tests.api.conftest import api, api_settings  # noqa: F401 -- the app on the test's rolled-back database
