"""The `harmoni` command. Every failure we expect is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import signal
import sys

from pydantic import ValidationError

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

    with embedded_db.database_url(settings) as url:
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

    uvicorn.run("api.app:create_app", factory=True, host=settings.api_host, port=settings.api_port,
                workers=settings.api_workers, log_config=None, access_log=False)
    return 0


def _cmd_worker(settings: Settings, _args) -> int:
    from harmoni import jobs

    if not settings.redis_url:
        print("harmoni: error: the worker needs HARMONI_REDIS_URL (without it jobs run in-process)",
              file=sys.stderr)
        return 2
    jobs.configure(settings).worker_main(["worker", "--loglevel=INFO", "--concurrency=2"])
    return 0


def _cmd_wallets_rotate_key(settings: Settings, _args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from identity.custody import Keyring, rotate_keys

    keyring = Keyring.from_settings(settings)
    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        count = rotate_keys(session, keyring)
    print(f"re-encrypted {count} custodial wallet keys under key id {keyring.current_id}")
    return 0


def _cmd_users_grant_role(settings: Settings, args) -> int:
    from harmoni import embedded_db
    from harmoni.db import session_scope
    from identity import repository, service
    from identity.errors import UserNotFound
    from identity.models import Role

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        user = repository.user_by_email(session, args.email.strip().lower())
        if user is None:
            raise UserNotFound(f"no account with the email {args.email}")
        service.grant_role(session, user.id, Role(args.role))
        print(f"{user.email} now has the roles {', '.join(user.roles)}")
    return 0


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
    deploy.add_argument("--relayer", help="address granted PUBLISHER and MINTER roles (default: relayer key)")
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
    grant.set_defaults(func=_cmd_users_grant_role)

    commands.add_parser("api", help="serve the HTTP API").set_defaults(func=_cmd_api)
    commands.add_parser("worker", help="run a Celery worker").set_defaults(func=_cmd_worker)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as err:
        reasons = "; ".join(str(e.get("ctx", {}).get("error", e["msg"])) for e in err.errors())
        print(f"harmoni: error: {reasons}", file=sys.stderr)
        return 2
    # Interactive commands print their own lines; only warnings and errors go to the log there.
    configure_logging(settings.log_level if args.command in LONG_RUNNING else "WARNING")
    try:
        return args.func(settings, args)
    except HarmoniError as err:
        print(f"harmoni: error: {err.detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
