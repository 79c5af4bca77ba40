"""`harmoni social ...`: turn newly registered recordings into releases on their artists' timelines."""

from __future__ import annotations

import time

from harmoni.settings import Settings


def _cmd_sync_releases(settings: Settings, args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from social import service

    with embedded_db.database_url(settings) as url:
        while True:
            with session_scope(url) as session:
                added = service.sync_releases(session, settings)
            print(f"releases: {added} new", flush=True)
            if not args.every:
                return 0
            time.sleep(args.every)


def add_commands(commands) -> None:
    social = commands.add_parser("social", help="the social layer: releases")
    cmds = social.add_subparsers(dest="social_command", required=True)
    sync = cmds.add_parser("sync-releases", help="make registered recordings releases of the accounts whose wallet "
                                                 "controls them (they then show in followers' feeds)")
    sync.add_argument("--every", type=float, default=0, help="repeat every this many seconds (0: once)")
    sync.set_defaults(func=_cmd_sync_releases)
