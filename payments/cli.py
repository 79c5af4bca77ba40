"""`harmoni payments ...`: the local Stripe-compatible server, applying the webhook inbox, the reconcile."""

from __future__ import annotations

from harmoni.settings import Settings


def _cmd_stripe_server(settings: Settings, _args) -> int:
    from payments import config
    from payments.stripe_server.runner import serve

    state_dir = settings.data_dir / "stripe"
    state_dir.mkdir(parents=True, exist_ok=True)
    webhook = f"http://{settings.api_host}:{settings.api_port}/v1/webhooks/stripe"
    print(f"local Stripe-compatible server on 127.0.0.1:{settings.stripe_local_port}, webhooks to {webhook}",
          flush=True)
    serve(config.api_key(settings), settings.stripe_local_port, [(webhook, config.webhook_secret(settings))],
          state_dir / "state.json")
    return 0


def _cmd_apply(settings: Settings, _args) -> int:
    from harmoni.db import session_factory
    from payments.tasks import apply_inbox, payments_for

    done = apply_inbox(session_factory(settings.database_url), payments_for(settings))
    print(f"applied {done} Stripe events")
    return 0


def _cmd_mint(settings: Settings, _args) -> int:
    from harmoni.db import session_factory
    from harmoni.failpoints import failpoint
    from payments.tasks import apply_inbox, payments_for, run_mints

    p = payments_for(settings)
    sessions = session_factory(settings.database_url)
    applied = apply_inbox(sessions, p)
    failpoint("card-mint:before")  # killed here, the paid orders wait in `mint-pending` for the next run
    print(f"applied {applied} Stripe events, minted {run_mints(sessions, p)} card orders")
    return 0


def _cmd_reconcile(_settings: Settings, _args) -> int:
    from payments.tasks import reconcile

    print(f"stored {reconcile()} Stripe events that had never arrived")
    return 0


def add_commands(commands) -> None:
    payments = commands.add_parser("payments", help="Stripe: the local server, the webhook inbox, the reconcile")
    cmds = payments.add_subparsers(dest="payments_command", required=True)
    cmds.add_parser("stripe-server", help="serve the local Stripe-compatible server (the embedded default's Stripe)"
                    ).set_defaults(func=_cmd_stripe_server, long_running=True)
    cmds.add_parser("apply", help="apply the Stripe events that are due").set_defaults(func=_cmd_apply)
    cmds.add_parser("mint", help="apply the due Stripe events, then mint the tokens of paid card orders"
                    ).set_defaults(func=_cmd_mint)
    cmds.add_parser("reconcile", help="list Stripe's recent events and apply those that never arrived"
                    ).set_defaults(func=_cmd_reconcile)
