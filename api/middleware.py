"""Request id, JSON access log and Prometheus request metrics."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harmoni.errors import PROBLEM_BASE_URI
from harmoni.logging import request_id_var

log = logging.getLogger("harmoni.access")
REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

HTTP_REQUESTS = Counter("harmoni_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("harmoni_http_request_duration_seconds", "HTTP request latency", ["method", "route"])


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): tags each request with an id and measures it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            route_name = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], route_name, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route_name).observe(elapsed)
            log.info("request", extra={"method": scope["method"], "path": scope["path"], "status": status,
                                       "ms": round(elapsed * 1000, 2)})
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413 problem+json before any of it is parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt  # path prefixes with limits of their own (file uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer now, and tell the app the client is gone so it stops reading.
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # after the 413 nothing the app says reaches the client
                await send(message)

        await self.app(scope, counted, guarded_send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps({"type": PROBLEM_BASE_URI + "payload-too-large", "title": "Payload too large",
                           "status": 413, "detail": f"request bodies are limited to {self.max_bytes} bytes",
                           "instance": scope["path"]}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class HeaderSizeLimitMiddleware:
    """Refuse requests whose request line and headers exceed `max_bytes` with 431 problem+json (RFC 6585).

    Outermost, so no other middleware or route reads the headers first. (Under uvicorn's h11 parser the same cap
    also applies while the headers arrive: `api.server.uvicorn_options`.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
            size += sum(len(name) + len(value) + 4 for name, value in scope["headers"])  # ": " and CRLF
            if size > self.max_bytes:
                body = json.dumps({"type": PROBLEM_BASE_URI + "request-headers-too-large",
                                   "title": "Request header fields too large", "status": 431,
                                   "detail": f"the request line and headers are limited to {self.max_bytes} bytes",
                                   "instance": scope["path"][:200]}).encode()
                await send({"type": "http.response.start", "status": 431,
                            "headers": [(b"content-type", b"application/problem+json"),
                                        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
