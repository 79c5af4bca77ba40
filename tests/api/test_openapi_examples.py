"""Every operation of /openapi.json shows an example (the issue: "OpenAPI 3.1 at /openapi.json, interactive docs at
/docs, with examples for every operation"): of its request body, of each success answer, and a description or
example of each path parameter. Each example is valid against its own schema and looks real (full hashes,
checksummed addresses)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import jsonschema_rs
import pytest
from web3 import Web3

from api.app import create_app
from harmoni.settings import Settings

METHODS = {"get", "put", "post", "delete", "patch"}
# Successes that have no body to show, and why. Anything else answering 2xx needs an example per media type.
BODYLESS = {
    ("post", "/v1/auth/logout"): "204 No Content: the login is revoked, nothing is returned",
    ("delete", "/v1/partner/keys/{key_id}"): "204 No Content: the key is revoked, nothing is returned",
    ("delete", "/v1/partner/webhooks/{endpoint_id}"): "204 No Content: the endpoint is deleted, nothing is returned",
    ("patch", "/v1/uploads/{upload_id}"): "204 No Content (tus): the new offset is the Upload-Offset header",
    ("delete", "/v1/uploads/{upload_id}"): "204 No Content: the upload and its unshared files are deleted",
    ("delete", "/v1/recordings/{asset_id}/gate"): "204 No Content: the recording is open to every listener again",
    ("delete", "/v1/bonus-files/{bonus_id}"): "204 No Content: the file is detached (the upload stays)",
    ("delete", "/v1/posts/{post_id}"): "204 No Content: the post is deleted",
    ("delete", "/v1/comments/{comment_id}"): "204 No Content: the comment is deleted",
    ("post", "/v1/conversations/{conversation_id}/accept"): "204 No Content: the request moves to the inbox",
}
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict:
    """The app's OpenAPI document; building it touches neither the database nor the chain."""
    settings = Settings(_env_file=None, env="test", database_url="postgresql://harmoni@127.0.0.1:1/unused",
                        rpc_url="http://127.0.0.1:1", data_dir=tmp_path_factory.mktemp("openapi"))
    return create_app(settings).openapi()


def _operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _schema_has_example(document: dict, schema: dict) -> bool:
    """The schema (through $ref) has examples; a list, if its items have; a union, if every non-null branch has."""
    schema = _resolve(document, schema)
    if schema.get("examples") or "example" in schema:
        return True
    branches = [b for b in schema.get("anyOf", schema.get("oneOf", [])) if _resolve(document, b).get("type") != "null"]
    if branches:
        return all(_schema_has_example(document, branch) for branch in branches)
    if schema.get("type") == "array" and "items" in schema:
        return _schema_has_example(document, schema["items"])
    return False


def _media_has_example(document: dict, media: dict) -> bool:
    return "example" in media or bool(media.get("examples")) or _schema_has_example(document, media.get("schema", {}))


def _offenders(document: dict) -> list[str]:
    found = []
    for method, path, operation in _operations(document):
        name = f"{operation['operationId']} ({method.upper()} {path})"
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if not _media_has_example(document, media):
                found.append(f"{name}: request body {media_type} has no example")
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            content = response.get("content", {})
            if not content and (method, path) not in BODYLESS:
                found.append(f"{name}: {status} documents no media type to show an example of (give one, or list "
                             "the operation in BODYLESS with the reason)")
            for media_type, media in content.items():
                if not _media_has_example(document, media):
                    found.append(f"{name}: {status} {media_type} has no example")
    return found


def _undescribed_path_parameters(document: dict) -> list[str]:
    found = []
    for method, path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and not (
                    parameter.get("description") or "example" in parameter or parameter.get("examples")
                    or parameter.get("schema", {}).get("examples")):
                found.append(f"{operation['operationId']} ({method.upper()} {path}): path parameter "
                             f"{parameter['name']} has neither description nor example")
    return found


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")


def test_every_operation_has_examples(document):
    offenders = _offenders(document)
    operations = sum(1 for _ in _operations(document))
    assert not offenders, f"{len(offenders)} gaps in {operations} operations:\n" + "\n".join(offenders)


def test_every_path_parameter_is_described(document):
    undescribed = _undescribed_path_parameters(document)
    assert not undescribed, f"{len(undescribed)} path parameters undescribed:\n" + "\n".join(undescribed)


def test_bodyless_operations_exist_and_have_no_body(document):
    for method, path in BODYLESS:
        responses = document["paths"][path][method]["responses"]
        assert all(not r.get("content") for status, r in responses.items() if status.startswith("2")), (method, path)


def _examples(document: dict) -> Iterator[tuple[str, dict, object]]:
    """(where, schema, example) for every example in the document that has a schema to be valid against."""
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            yield f"components/{name}", schema, example
        for prop, subschema in schema.get("properties", {}).items():
            for example in subschema.get("examples", []):
                yield f"components/{name}.{prop}", subschema, example
    for method, path, operation in _operations(document):
        name = f"{operation['operationId']} ({method.upper()} {path})"
        bodies = [("request body", operation.get("requestBody", {}))]
        bodies += [(status, response) for status, response in operation["responses"].items()]
        for where, body in bodies:
            for media_type, media in body.get("content", {}).items():
                examples = [media["example"]] if "example" in media else []
                examples += [e["value"] for e in media.get("examples", {}).values() if "value" in e]
                for example in examples:
                    yield f"{name}: {where} {media_type}", media.get("schema", {}), example


def _nullable(document: dict, schema: dict) -> bool:
    schema = _resolve(document, schema)
    return schema.get("type") == "null" or any(_nullable(document, b) for b in schema.get("anyOf", []))


def _restore_nulls(document: dict, schema: dict, value: object) -> object:
    """FastAPI drops every null from the examples of the document it serves (fastapi/fastapi#5559): put back
    those of required nullable properties, which the examples carry in the source."""
    schema = _resolve(document, schema)
    branches = [b for b in schema.get("anyOf", []) if not _nullable(document, b)]
    if branches:
        return _restore_nulls(document, branches[0], value)
    if isinstance(value, dict) and "properties" in schema:
        restored = {}
        for name, subschema in schema["properties"].items():
            if name in value:
                restored[name] = _restore_nulls(document, subschema, value[name])
            elif name in schema.get("required", []) and _nullable(document, subschema):
                restored[name] = None
        return {**value, **restored}
    if isinstance(value, list) and "items" in schema:
        return [_restore_nulls(document, schema["items"], item) for item in value]
    return value


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_every_example_is_valid_and_realistic(document):
    problems = []
    for where, schema, example in _examples(document):
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]},
                                                       validate_formats=True)
        problems += [f"{where}: {error.message}"
                     for error in validator.iter_errors(_restore_nulls(document, schema, example))]
        for text in _strings(example):
            if text.startswith("0x") and (not _HEX.match(text) or len(text) % 2):
                problems.append(f"{where}: {text!r} is not whole hex")
            elif _ADDRESS.match(text) and not Web3.is_checksum_address(text):
                problems.append(f"{where}: address {text} is not checksummed")
    assert not problems, "\n".join(problems)


def test_every_prepare_route_answers_the_request_to_sign(document):
    """A `.../prepare` route's 200 is the EIP-712 request (a replayed operation belongs to the relayed routes)."""
    wrong = []
    for path, method, operation in _operations(document):
        if path.endswith("/prepare") and method == "post" and "200" in operation["responses"]:
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            if schema.get("$ref", "").endswith("/OperationOut"):
                wrong.append(path)
    assert wrong == []
