"""How uvicorn serves the app: the options `harmoni api` starts it with (and the socket tests use)."""

from __future__ import annotations

from typing import Any

from harmoni.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run/Config keyword arguments for these settings.

    - `proxy_headers=False`: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 (its default
      `forwarded_allow_ips`), which any local process, or a proxy forwarding what clients wrote, can abuse;
      `api.deps.client_ip` honours it from `HARMONI_TRUSTED_PROXIES` only.
    - Headers over `HARMONI_MAX_HEADER_BYTES` are answered 431 by HeaderSizeLimitMiddleware. The parser stays
      httptools (uvicorn's default, much faster than h11), which has no cap of its own: an oversized header is
      buffered once, then refused. Under h11 (`--http h11`) the same cap applies while the headers arrive.
    """
    return {"host": settings.api_host, "port": settings.api_port, "workers": settings.api_workers,
            "proxy_headers": False, "h11_max_incomplete_event_size": settings.max_header_bytes + 1024,
            "log_config": None, "access_log": False}
