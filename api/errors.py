"""One handler family turns every error into RFC 9457 problem+json."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from harmoni.errors import PROBLEM_BASE_URI, HarmoniError, ValidationFailed

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem_response(body: dict, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple) -> str:
    # ("body", "split", 0, "share") -> "split[0].share"; the "body"/"query" prefix is kept apart.
    name = ""
    for part in loc[1:]:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or str(loc[0])


def install(app: FastAPI) -> None:
    @app.exception_handler(HarmoniError)
    async def _harmoni_error(request: Request, exc: HarmoniError) -> JSONResponse:
        # An error may carry response headers (a 401's `WWW-Authenticate` challenge).
        return problem_response(exc.problem(instance=request.url.path), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field_name(tuple(e["loc"])), "in": e["loc"][0], "message": e["msg"]}
                  for e in exc.errors()]
        names = sorted({e["field"] for e in errors})
        if len(names) == 1:  # one field at fault: named on top, like the service's own refusals, with the reason
            problem = ValidationFailed(f"invalid {names[0]}: {errors[0]['message']}", field=names[0], errors=errors)
        else:
            problem = ValidationFailed(f"invalid {', '.join(names)}", errors=errors)
        return problem_response(problem.problem(instance=request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slugs = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}
        slug = slugs.get(exc.status_code, "http-error")
        body = {"type": PROBLEM_BASE_URI + slug, "title": str(exc.detail), "status": exc.status_code,
                "detail": str(exc.detail), "instance": request.url.path}
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 400 and slug == "malformed-body":  # FastAPI could not parse the body at all
            body.update(title="Malformed request body", field="body",
                        detail="the request body cannot be read: send UTF-8 JSON (or the form the operation "
                               "documents) with a matching Content-Type")
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(body, headers=headers or None)

    @app.exception_handler(DataError)
    async def _unstorable_value(request: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL refused a value the request carried (a NUL character, a number out of range):
        # the client's input, and the request's transaction is rolled back, so nothing was written.
        problem = ValidationFailed("a value in the request cannot be stored (NUL character or number out of range)")
        return problem_response(problem.problem(instance=request.url.path))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(HarmoniError("an unexpected error occurred").problem(instance=request.url.path))


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (RFC 9110: a 405 lists them all in `Allow`).

    Starlette's own `Allow` names only the first route that matched the path, while each method is a route here.
    """
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):  # included routers' routes, with their prefixes
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def problem_responses(*errors: type[HarmoniError]) -> dict[int | str, dict]:
    """OpenAPI `responses=` documenting which problem types an endpoint may answer with, by status."""
    by_status: dict[int, list[str]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(f"`{error.slug}` ({error.title})")
    return {status: {"description": "; ".join(slugs), "content": {PROBLEM_JSON: {}}}
            for status, slugs in sorted(by_status.items())}
