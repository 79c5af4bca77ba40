"""`harmoni search ...`: rebuild the index, compare it with the database, drain the outbox."""

from __future__ import annotations

from harmoni.settings import Settings


def _cmd_reindex(settings: Settings, _args) -> int:
    from discovery.search import service
    from harmoni import embedded_db
    from harmoni.db import session_factory

    with embedded_db.database_url(settings) as url:
        written = service.reindex(session_factory(url), settings, settings.chain_id)
    print(f"search index rebuilt ({settings.search_backend}): {written} documents")
    return 0


def _cmd_check(settings: Settings, _args) -> int:
    from discovery.search import service
    from harmoni import embedded_db
    from harmoni.db import session_scope

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        report = service.check(session, settings, settings.chain_id)
    print(report.as_text())
    return 0 if report.matches else 1


def _cmd_drain(settings: Settings, args) -> int:
    from discovery.search import service, tasks
    from harmoni import embedded_db
    from harmoni.db import session_factory

    with embedded_db.database_url(settings) as url:
        if args.forever:
            print("search worker: draining the outbox", flush=True)
            tasks.poll_forever(settings, url)
            return 0
        taken = service.drain(session_factory(url), settings, settings.chain_id)
    print(f"search outbox drained: {taken} changes taken in")
    return 0


def add_commands(commands) -> None:
    search = commands.add_parser("search", help="the search index: rebuild, check, drain")
    cmds = search.add_subparsers(dest="search_command", required=True)
    cmds.add_parser("reindex", help="rebuild the search index from the database").set_defaults(func=_cmd_reindex)
    cmds.add_parser("check", help="compare the index's documents per kind with the database; exit 1 on a "
                                  "difference").set_defaults(func=_cmd_check)
    drain = cmds.add_parser("drain", help="take the pending changes of the outbox into the index")
    drain.add_argument("--forever", action="store_true", help="keep draining (a worker)")
    drain.set_defaults(func=_cmd_drain)
