"""`harmoni email ...`: send what the outbox holds, suppress an address (a bounce or complaint reported by the
mail provider), and the local SMTP catcher `harmoni up` runs without HARMONI_SMTP_URL."""

from __future__ import annotations

import time

from sqlalchemy.orm import sessionmaker

from harmoni.settings import Settings


def _cmd_send(settings: Settings, args) -> int:
    from harmoni import embedded_db
    from harmoni.db import get_engine
    from notifications import mailer

    if not settings.smtp_url.get_secret_value():
        print("harmoni: error: HARMONI_SMTP_URL is not set: nothing can be sent")
        return 2
    with embedded_db.database_url(settings) as url:
        sessions = sessionmaker(bind=get_engine(url), expire_on_commit=False)
        while True:
            queued = mailer.queue_notification_emails(sessions, settings)
            counts = mailer.send_due(sessions, settings)
            if not args.loop:
                print(f"notification mails queued {queued}; outbox: "
                      + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"))
                return 0
            time.sleep(args.every)


def _cmd_suppress(settings: Settings, args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from notifications import mailer

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        new = mailer.suppress(session, args.address, args.reason)
    print(f"{args.address.strip().lower()} {'is now' if new else 'was already'} suppressed")
    return 0


def _cmd_catcher(settings: Settings, args) -> int:
    from notifications import catcher

    catcher.serve_forever(args.port or settings.smtp_catcher_port, settings.data_dir / "mailbox")
    return 0


def add_commands(commands) -> None:
    email = commands.add_parser("email", help="e-mail: send the outbox, suppress an address, local catcher")
    cmds = email.add_subparsers(dest="email_command", required=True)
    send = cmds.add_parser("send", help="queue due notification mails and send the outbox over HARMONI_SMTP_URL")
    send.add_argument("--loop", action="store_true", help="keep sending")
    send.add_argument("--every", type=float, default=5.0, help="seconds between passes with --loop")
    send.set_defaults(func=_cmd_send)
    suppress = cmds.add_parser("suppress", help="never mail an address again (a hard bounce, a complaint)")
    suppress.add_argument("address")
    suppress.add_argument("--reason", choices=["bounce", "complaint", "manual"], default="bounce")
    suppress.set_defaults(func=_cmd_suppress)
    caught = cmds.add_parser("catcher", help="a local SMTP server writing every mail under <data dir>/mailbox")
    caught.add_argument("--port", type=int, default=0, help="default HARMONI_SMTP_CATCHER_PORT (8025)")
    caught.set_defaults(func=_cmd_catcher, long_running=True)
