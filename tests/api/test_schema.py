"""schemathesis against /openapi.json: generated requests (bounded per operation) never get a 5xx and
every response matches the documented schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from indexer.store import save_checkpoint
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
EXAMPLES_PER_OPERATION = 12
# tus PATCH bodies are raw bytes, like application/octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


def test_no_5xx_and_responses_match_the_schema(api, sessions, chain):
    context = api.app.state.context
    context.settings = context.settings.model_copy(update={"data_dir": chain.data_dir})  # contracts deployed
    head = chain.client.head()
    with sessions.begin() as session:  # a caught-up mirror: /readyz and reads answer 200, not their 503
        save_checkpoint(session, 31337, head.number, head.hash)
    artist = make_user(api.app.state.context.sessions, api.app.state.context.settings, "artist").headers
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case):
            case.call_and_validate(headers={**(case.headers or {}), **artist},
                                   checks=[not_a_server_error, response_schema_conformance, status_code_conformance])

        exercise()
        tested.append(operation.label)
    assert len(tested) >= 15, tested
