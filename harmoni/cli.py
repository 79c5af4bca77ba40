"""The `harmoni` command. Every failure we expect is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import contextmanager
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from harmoni import runtime
from harmoni.errors import HarmoniError
from harmoni.logging import configure_logging
from harmoni.settings import Settings, get_settings

LONG_RUNNING = frozenset({"api", "worker", "indexer"})


def _cmd_up(settings: Settings, _args) -> int:
    from harmoni.stack import up

    return up(settings)


def _cmd_status(settings: Settings, _args) -> int:
    from harmoni.stack import status

    return status(settings)


def _cmd_db_upgrade(settings: Settings, _args) -> int:
    from harmoni import embedded_db, migrate
    from harmoni.db import check_connection

    with embedded_db.database_url(settings, create=True) as url:  # asked for: may create the embedded one
        check_connection(url)
        migrate.upgrade(url)
        print(f"database at revision {migrate.current_revision(url)}")
    return 0


def _cmd_contracts_build(_settings: Settings, _args) -> int:
    from chain import artifacts

    for path in artifacts.build():
        print(f"wrote {path}")
    return 0


def _cmd_contracts_deploy(settings: Settings, args) -> int:
    from chain import artifacts, deployments
    from chain.client import ChainClient
    from chain.deploy import deploy_all
    from chain.wallets import deployer_account, relayer_account

    client = ChainClient(args.rpc_url, settings.rpc_timeout_s)
    chain_id = client.chain_id()
    if chain_id != args.chain_id:
        print(f"harmoni: error: {args.rpc_url} serves chain {chain_id}, not {args.chain_id}", file=sys.stderr)
        return 2
    artifacts.ensure_built()
    relayer = args.relayer or relayer_account(settings, chain_id).address
    deployment = deploy_all(client, deployer_account(settings, chain_id), relayer, settings.data_dir,
                            payout_token=settings.payout_token_address, treasury=settings.treasury_address,
                            platform_fee_bps=settings.platform_fee_bps, metadata_base_uri=settings.api_url,
                            min_priority_fee_wei=settings.min_priority_fee_wei, force=args.force)
    for name, contract in deployment.contracts.items():
        print(f"{name:<18} {contract.address}  block {contract.block_number}  tx {contract.tx_hash}")
    print(f"record: {deployments.record_path(chain_id, settings.data_dir)}")
    return 0


def _cmd_indexer_run(settings: Settings, _args) -> int:
    from indexer.runner import run

    return run(settings)


def _cmd_indexer_status(settings: Settings, _args) -> int:
    from indexer.runner import status

    return status(settings)


def _cmd_indexer_replay(settings: Settings, args) -> int:
    from indexer.runner import replay

    return replay(settings, args.from_block)


def _cmd_api(settings: Settings, _args) -> int:
    import uvicorn

    # `python -m harmoni.cli` restores SIGPIPE's default (die) for piped output; a server must instead see EPIPE
    # when a client goes away mid-response (with one worker the server is this very process).
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    from api.server import uvicorn_options

    uvicorn.run("api.app:create_app", factory=True, **uvicorn_options(settings))
    return 0


def _cmd_worker(settings: Settings, args) -> int:
    from harmoni import jobs

    if not settings.redis_url:
        print("harmoni: error: the worker needs HARMONI_REDIS_URL (without it jobs run in-process)",
              file=sys.stderr)
        return 2
    argv = ["worker", "--loglevel=INFO", f"--queues={args.queues}"]
    # Threads for work that mostly waits on the network (webhook deliveries), processes otherwise.
    argv += [f"--concurrency={args.threads}", "--pool=threads"] if args.threads else ["--concurrency=2"]
    jobs.configure(settings).worker_main(argv)
    return 0


def _cmd_wallets_rotate_key(settings: Settings, _args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from identity.custody import Keyring, rotate_keys

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        keyring = Keyring.from_settings(settings)  # after the data directory was found: it may hold the keys
        count = rotate_keys(session, keyring)
    print(f"re-encrypted {count} custodial wallet keys under key id {keyring.current_id}")
    return 0


def _cmd_users_grant_role(settings: Settings, args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from identity import repository, service
    from identity.errors import EmailNotVerified, UserNotFound
    from identity.models import Role

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        user = repository.user_by_email(session, args.email.strip().lower())
        if user is None:
            raise UserNotFound(f"no account with the email {args.email}")
        # Anyone can sign up with someone else's address: an unverified one may not be the person meant.
        if user.email_verified_at is None and not args.allow_unverified:
            raise EmailNotVerified(f"{user.email} has not been verified by its owner, so this account may not be "
                                   "theirs; have them open the verification link, or pass --allow-unverified "
                                   "if you know who created it")
        service.grant_role(session, user.id, Role(args.role))
        print(f"{user.email} now has the roles {', '.join(user.roles)}")
    return 0


@contextmanager
def _royalties(settings: Settings):
    """The royalty context on the configured (or embedded) database."""
    from harmoni import embedded_db
    from ledger.royalties.context import RoyaltyContext

    with embedded_db.database_url(settings) as url:
        yield RoyaltyContext.from_settings(settings.model_copy(update={"database_url": url}))


def _print_period(period, stored) -> None:
    line = f"period {period.period_id}  {period.starts_at.isoformat()} .. {period.ends_at.isoformat()}  {period.status}"
    if stored is not None:
        line += (f"  allocated {stored.allocated}  fee {stored.platform_fee}  root {stored.root}"
                 f"  cut block {stored.cut_block}" + (f"  tx {stored.published_tx}" if stored.published_tx else ""))
    print(line)


def _cmd_periods_open(settings: Settings, args) -> int:
    from ledger.royalties.periods import open_period

    with _royalties(settings) as ctx, ctx.sessions.begin() as session:
        _print_period(open_period(session, args.ends_at, args.starts_at,
                                  max_days_ahead=settings.period_max_days_ahead), None)
    return 0


def _cmd_periods_list(settings: Settings, _args) -> int:
    from ledger.royalties.models import StoredStatement
    from ledger.royalties.periods import list_periods

    with _royalties(settings) as ctx, ctx.sessions() as session:
        for period in list_periods(session):
            _print_period(period, session.get(StoredStatement, period.period_id))
    return 0


def _cmd_periods_revenue(settings: Settings, args) -> int:
    from ledger.royalties.periods import record_revenue

    with _royalties(settings) as ctx, ctx.sessions.begin() as session:
        entry, created = record_revenue(
            session, args.period, source=args.source, amount=args.amount, currency=args.currency,
            reference=args.reference, asset_id=args.asset_id, chain_id=ctx.deployment.chain_id,
            payout_currency=settings.payout_currency, unit_factor=ctx.unit_factor,
            confirm_above=settings.revenue_confirm_above, confirm_amount=args.confirm_amount)
        print(f"{'recorded' if created else 'already recorded'}: {entry.source} {entry.amount} {entry.currency} "
              f"({entry.reference}) in period {entry.period_id}")
    return 0


def _cmd_periods_close(settings: Settings, args) -> int:
    from ledger.royalties.close import close_period

    with _royalties(settings) as ctx:
        stored = close_period(ctx, args.period)
        print(f"period {args.period} closed: allocated {stored.allocated}, root {stored.root}, "
              f"statement {stored.statement_uri}")
    return 0


def _cmd_periods_publish(settings: Settings, args) -> int:
    from ledger.royalties.publish import publish_period

    with _royalties(settings) as ctx:
        stored = publish_period(ctx, args.period)
        print(f"period {args.period} published: root {stored.root}, funded {stored.allocated}"
              + (f", tx {stored.published_tx}" if stored.published_tx else " (nothing new went on chain)"))
    return 0


def _cmd_audit_verify(settings: Settings, args) -> int:
    from ledger.royalties.audit import verify_period

    with _royalties(settings) as ctx:
        report = verify_period(ctx, args.period)
    print(report.as_text())
    return 0 if report.passed else 1


def _add_royalty_commands(commands) -> None:
    periods = commands.add_parser("periods", help="royalty periods: open, record revenue, close, publish")
    period_cmds = periods.add_subparsers(dest="periods_command", required=True)
    opened = period_cmds.add_parser("open", help="open the next period (contiguous with the last)")
    opened.add_argument("--ends-at", type=_instant, required=True, help="ISO 8601 with a time zone")
    opened.add_argument("--starts-at", type=_instant, help="only for the first period")
    opened.set_defaults(func=_cmd_periods_open)
    period_cmds.add_parser("list", help="every period with its statement summary").set_defaults(
        func=_cmd_periods_list)
    revenue = period_cmds.add_parser("revenue", help="record revenue of an open period (idempotent by reference)")
    revenue.add_argument("period", type=int)
    revenue.add_argument("--source", choices=["subscriptions", "direct_sales"], required=True)
    revenue.add_argument("--amount", type=int, required=True, help="in the currency's smallest unit")
    revenue.add_argument("--currency", required=True)
    revenue.add_argument("--reference", required=True)
    revenue.add_argument("--asset-id", type=int, help="the asset of a direct sale")
    revenue.add_argument("--confirm-amount", type=int, help="the amount again, above HARMONI_REVENUE_CONFIRM_ABOVE")
    revenue.set_defaults(func=_cmd_periods_revenue)
    for name, func, text in (("close", _cmd_periods_close, "compute the statement and tree (resumable)"),
                             ("publish", _cmd_periods_publish, "put the root on chain with its funding")):
        step = period_cmds.add_parser(name, help=text)
        step.add_argument("period", type=int)
        step.set_defaults(func=func)
    audit = commands.add_parser("audit", help="verify payouts from raw inputs and the chain")
    verify = audit.add_subparsers(dest="audit_command", required=True).add_parser(
        "verify", help="recompute a period and compare it with the chain; exit 1 on any discrepancy")
    verify.add_argument("--period", type=int, required=True)
    verify.set_defaults(func=_cmd_audit_verify)


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a time zone (e.g. 2026-12-01T00:00:00Z)")
    return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harmoni", description="HARMONI rights and royalty ledger")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole platform (embedded default)").set_defaults(func=_cmd_up)
    commands.add_parser("status", help="show each component, chain, indexer and contracts").set_defaults(
        func=_cmd_status)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=_cmd_db_upgrade)

    contracts = commands.add_parser("contracts", help="build and deploy the Solidity contracts")
    contract_cmds = contracts.add_subparsers(dest="contracts_command", required=True)
    contract_cmds.add_parser("build", help="compile and write artifacts").set_defaults(func=_cmd_contracts_build)
    deploy = contract_cmds.add_parser("deploy", help="deploy every contract and record the deployment")
    deploy.add_argument("--rpc-url", required=True)
    deploy.add_argument("--chain-id", type=int, required=True)
    deploy.add_argument("--relayer", help="address granted PUBLISHER, MINTER and ARBITER roles (default: relayer key)")
    deploy.add_argument("--force", action="store_true", help="deploy even if the chain has a deployment")
    deploy.set_defaults(func=_cmd_contracts_deploy)

    indexer = commands.add_parser("indexer", help="the chain indexer")
    indexer_cmds = indexer.add_subparsers(dest="indexer_command", required=True)
    indexer_cmds.add_parser("run", help="follow the chain into PostgreSQL").set_defaults(func=_cmd_indexer_run)
    indexer_cmds.add_parser("status", help="head, finalized, indexed block, lag, events/s, reorgs").set_defaults(
        func=_cmd_indexer_status)
    replay = indexer_cmds.add_parser("replay", help="re-index from a block (drops the mirror above it first)")
    replay.add_argument("--from-block", type=int, required=True)
    replay.set_defaults(func=_cmd_indexer_replay)

    wallets = commands.add_parser("wallets", help="custodial wallets")
    wallet_cmds = wallets.add_subparsers(dest="wallets_command", required=True)
    wallet_cmds.add_parser("rotate-key", help="re-encrypt every custodial key under the current key").set_defaults(
        func=_cmd_wallets_rotate_key)

    users = commands.add_parser("users", help="accounts")
    user_cmds = users.add_subparsers(dest="users_command", required=True)
    grant = user_cmds.add_parser("grant-role", help="give an account a role (the first admin comes from here)")
    grant.add_argument("--email", required=True)
    grant.add_argument("--role", required=True, choices=["fan", "artist", "auditor", "partner", "admin"])
    grant.add_argument("--allow-unverified", action="store_true",
                       help="grant it even though the account's e-mail address is not verified")
    grant.set_defaults(func=_cmd_users_grant_role)

    _add_royalty_commands(commands)
    from content.cli import add_commands as add_content_commands

    add_content_commands(commands)
    from payments.cli import add_commands as add_payment_commands

    add_payment_commands(commands)
    from notifications.cli import add_commands as add_email_commands

    add_email_commands(commands)
    from discovery.search.cli import add_commands as add_search_commands

    add_search_commands(commands)
    from discovery.trending.cli import add_commands as add_discovery_commands

    add_discovery_commands(commands)
    from social.cli import add_commands as add_social_commands

    add_social_commands(commands)

    commands.add_parser("api", help="serve the HTTP API").set_defaults(func=_cmd_api)
    worker = commands.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--queues", default="celery", help="the queues to serve (comma-separated)")
    worker.add_argument("--threads", type=int, default=0, help="a pool of this many threads instead of processes")
    worker.set_defaults(func=_cmd_worker)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as err:
        reasons = "; ".join(str(e.get("ctx", {}).get("error", e["msg"])) for e in err.errors())
        print(f"harmoni: error: {reasons}", file=sys.stderr)
        return 2
    long_running = args.command in LONG_RUNNING or getattr(args, "long_running", False)
    if not long_running and args.command != "up":
        settings = runtime.attach(settings)  # a `harmoni up` running on this data directory, wherever it listens
    # Interactive commands print their own lines; only warnings and errors go to the log there.
    configure_logging(settings.log_level if long_running else "WARNING")
    try:
        return args.func(settings, args)
    except HarmoniError as err:
        print(f"harmoni: error: {err.detail}", file=sys.stderr)
        return 2
    except ProgrammingError as err:  # e.g. a table that is not there: a database never migrated, or an old one
        print(f"harmoni: error: the database lacks HARMONI's schema ({type(err.orig).__name__}): run "
              "`harmoni db upgrade`", file=sys.stderr)
        return 2
    except OperationalError as err:
        print(f"harmoni: error: the database did not answer: {str(err.orig).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
