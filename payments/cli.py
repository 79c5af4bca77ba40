"""`harmoni payments ...`: the local Stripe-compatible server, applying the webhook inbox, the reconcile, tax rates."""

from __future__ import annotations

from datetime import UTC, datetime

from harmoni.settings import Settings


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def _cmd_tax_rates(settings: Settings, args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from payments import tax

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        if args.tax_command == "set":
            tax.set_rate(session, args.country, args.rate_bps, _moment(args.effective_from) or datetime.now(UTC),
                         _moment(args.effective_to))
        elif args.tax_command == "seed":
            added = tax.seed_from_settings(session, settings, _moment(args.effective_from) or datetime.now(UTC))
            print(f"added {len(added)} rate(s) from HARMONI_TAX_RATES")
        for rate in tax.rates(session):
            until = rate.effective_to.isoformat() if rate.effective_to else "open-ended"
            print(f"{rate.country} {rate.rate_bps:>5} bps  {rate.effective_from.isoformat()} .. {until}")
    return 0


def _cmd_unconverted(settings: Settings, _args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from payments.currency import unconverted

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        waiting = unconverted(session)
    for row in waiting:
        print(f"{row.currency}: {row.invoices} invoice(s), paid {row.gross} (tax {row.tax}), refunded {row.refunded} "
              f"(smallest unit), not in any royalty period: periods pay out in {settings.payout_currency}")
    if not waiting:
        print(f"every invoice is in {settings.payout_currency}, the payout currency")
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
    cmds.add_parser("unconverted", help="invoices paid in another currency than the payout currency, per currency "
                    "(recorded, kept out of the periods)").set_defaults(func=_cmd_unconverted)
    rates = cmds.add_parser("tax-rates", help="list the tax rate table; `set` a country's rate, `seed` it from "
                            "HARMONI_TAX_RATES")
    rates.set_defaults(func=_cmd_tax_rates, tax_command="list")
    rate_cmds = rates.add_subparsers(dest="tax_command")
    setting = rate_cmds.add_parser("set", help="a country's rate from a date (an open-ended earlier one ends there)")
    setting.add_argument("country", help="ISO 3166 alpha-2 code, e.g. DE")
    setting.add_argument("rate_bps", type=int, help="basis points, included in prices (1900 = 19%%)")
    setting.add_argument("--from", dest="effective_from", help="ISO date/time it applies from (default: now)")
    setting.add_argument("--to", dest="effective_to", help="ISO date/time it stops applying (default: open-ended)")
    seeding = rate_cmds.add_parser("seed", help="add HARMONI_TAX_RATES' countries that have no row yet")
    seeding.add_argument("--from", dest="effective_from", help="ISO date/time they apply from (default: now)")
