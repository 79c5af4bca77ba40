"""The OpenAPI document says what the API answers: the problems each route may answer with are derived from what
the route depends on, in this one place, so a router added later is documented without doing anything.

- A dependency declares the problems it raises and whether it needs credentials with `documents(...)` (functions)
  or `problems` / `credentials` attributes (callable classes); every route depending on it, directly, through
  another dependency or through its router's `dependencies=[...]`, documents those problems.
- A route with parameters documents 422; one with a request body also 400 (unreadable) and 413 (too large).
- Every error response is `application/problem+json` with the `Problem` schema, with `Retry-After` on 429.
- A route whose credentials are optional (public reads where a token or key may come) says so with an empty
  security requirement (`{}`), so a client knows anonymous calls are answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.errors import PROBLEM_JSON
from harmoni.errors import HarmoniError, ValidationFailed

Credentials = Literal["required", "optional"]
# The largest integer every JSON client reads exactly (JavaScript's Number.MAX_SAFE_INTEGER). A bound of 2**63 - 1
# is read as a float, 2**63, by generators and clients, and ids just past the bigint range then look valid.
MAX_SAFE_INTEGER = 2**53 - 1
# A wallet address as the handlers check it (`Web3.is_address`): mixed case must carry its EIP-55 checksum, which
# no pattern can say; the format names that rule.
ETHEREUM_ADDRESS = {"format": "ethereum-address", "pattern": "^0x[0-9a-fA-F]{40}$",
                    "examples": ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"]}
PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "An RFC 9457 problem: `type` names the kind of refusal; `field` (when one field is at fault) "
                   "and `errors` (each invalid field, where and why) say what to fix.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "in": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "additionalProperties": True,
}
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                "required": True, "schema": {"type": "integer", "minimum": 0}}}
# Not raised by our code but by the framework and the middleware, hence described here.
_GENERIC = {
    400: "`malformed-body` (the request body cannot be read: not UTF-8 JSON, or not the declared form)",
    413: "`payload-too-large` (the request body is over the size limit)",
}


def documents(*problems: type[HarmoniError], credentials: Credentials | None = None) -> Callable[[Callable], Callable]:
    """Mark a dependency function with the problems it raises (and whether it needs credentials)."""

    def mark(dependency: Callable) -> Callable:
        dependency.problems = problems  # type: ignore[attr-defined]
        dependency.credentials = credentials  # type: ignore[attr-defined]
        return dependency

    return mark


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for child in dependant.dependencies:
        yield from _dependants(child)


def route_problems(route: Any) -> tuple[list[type[HarmoniError]], Credentials | None]:
    """The problems `route`'s dependencies raise, and what credentials they need (None: none at all)."""
    problems: list[type[HarmoniError]] = []
    needs: set[str] = set()
    has_parameters = False
    for dependant in _dependants(route.dependant):
        problems.extend(getattr(dependant.call, "problems", ()) or ())
        if getattr(dependant.call, "credentials", None):
            needs.add(dependant.call.credentials)  # type: ignore[union-attr]
        has_parameters |= bool(dependant.path_params or dependant.query_params or dependant.header_params
                               or dependant.cookie_params or dependant.body_params)
    if has_parameters:
        problems.append(ValidationFailed)
    credentials: Credentials | None = "required" if "required" in needs else ("optional" if needs else None)
    return problems, credentials


def _has_body(route: Any, operation: dict) -> bool:
    return route.body_field is not None or "requestBody" in operation


def _describe(problems: Iterable[type[HarmoniError]]) -> dict[int, str]:
    by_status: dict[int, list[str]] = {}
    for problem in problems:
        entry = f"`{problem.slug}` ({problem.title})"
        if entry not in by_status.setdefault(problem.status, []):
            by_status[problem.status].append(entry)
    return {status: "; ".join(entries) for status, entries in by_status.items()}


def _complete(route: Any, operation: dict) -> None:
    problems, credentials = route_problems(route)
    described = _describe(problems)
    if _has_body(route, operation):
        described.setdefault(400, _GENERIC[400])
        described.setdefault(413, _GENERIC[413])
        described.setdefault(422, _describe([ValidationFailed])[422])
    responses = operation.setdefault("responses", {})
    for status, description in described.items():
        responses.setdefault(str(status), {"description": description})
    for status, response in responses.items():
        if status == "default" or int(status) >= 400:
            response["content"] = _PROBLEM_CONTENT
            if status == "429":
                response["headers"] = {**_RETRY_AFTER, **response.get("headers", {})}
    if credentials == "optional" and operation.get("security") and {} not in operation["security"]:
        operation["security"] = [{}, *operation["security"]]


def complete(app: FastAPI, spec: dict[str, Any]) -> dict[str, Any]:
    """Add to the generated document what every route answers, derived from its dependencies."""
    # Each route as FastAPI documents it: included routers' prefixes and `dependencies=[...]` applied.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        path = spec["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = path.get(method.lower())
            if operation is not None:
                _complete(route, operation)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # Validation errors are problems too: FastAPI's own shapes are never sent.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec


def install(app: FastAPI) -> None:
    """Complete each document FastAPI generates (it caches one until routes change)."""
    generate = app.openapi
    completed: list[int] = []

    def openapi() -> dict[str, Any]:
        spec = generate()
        if not completed or completed[-1] != id(spec):
            complete(app, spec)
            completed[:] = [id(spec)]
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
