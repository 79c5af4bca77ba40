"""On anvil: an edition sold on chain is revenue of the open period, shown by its statement, never paid again
through the Merkle root, and journaled so that every account balances."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from content.storage import get_content_addressed
from ledger.editions.sales import record_sales
from ledger.models import VaultDeposit
from ledger.royalties import journal
from ledger.royalties.audit import verify_period
from ledger.royalties.close import close_period
from ledger.royalties.models import PayeeEntitlement, RevenueEntry
from ledger.royalties.periods import record_revenue
from ledger.royalties.publish import publish_period
from tests.royalties.conftest import LATER, A, B, D, period_bounds

NATIVE = "0x" + "00" * 20
PRICE = 5_000_000  # 5 USDC: 500 cents


def _create_edition(world, asset_id: int, token: str, price: int) -> int:
    editions = world.ctx.client.contract(world.ctx.deployment, "HarmoniEditions")
    edition_id = editions.functions.editionCount().call() + 1
    world.work.send([world.work.tx(A, "HarmoniEditions", "createEdition",
                                   [asset_id, token, price, 10, 0, 0, 0, 500])])
    assert editions.functions.editionCount().call() == edition_id
    return edition_id


def _record(world) -> int:
    with world.sessions.begin() as session:
        return record_sales(session, chain_id=31337, final_block=world.ctx.client.head().number,
                            payout_token=world.ctx.deployment.payout_token, unit_factor=world.ctx.unit_factor,
                            currency="USD")


def test_an_onchain_sale_is_shown_by_the_statement_and_not_paid_again_through_the_root(world):
    token = world.ctx.deployment.payout_token
    asset = world.register("USHRM2609001", [(A, 600_000), (B, 400_000)])
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    edition = _create_edition(world, asset, token, PRICE)
    native_edition = _create_edition(world, asset, NATIVE, 10**15)
    # A fan buys two tokens with the payout token, one with the native token.
    world.work.send([world.work.tx(world.work.admin, "DevStablecoin", "mint", [D, 2 * PRICE]),
                     world.work.tx(D, "DevStablecoin", "approve", [world.ctx.deployment.address("HarmoniEditions"),
                                                                   2 * PRICE]),
                     world.work.tx(D, "HarmoniEditions", "mint", [edition, 2]),
                     world.work.tx(D, "HarmoniEditions", "mint", [native_edition, 1], value=10**15)])
    assert world.ctx.client.contract(world.ctx.deployment, "HarmoniEditions").functions.balanceOf(
        D, edition).call() == 2
    world.plays(asset, 2, starts + timedelta(minutes=5))
    with world.sessions.begin() as session:
        record_revenue(session, period, source="subscriptions", amount=1_000, currency="USD", reference="subs-1",
                       chain_id=31337, payout_currency="USD", unit_factor=world.ctx.unit_factor)
    world.index()

    assert _record(world) == 1  # the payout-token sale; the native one is not revenue in the payout currency
    assert _record(world) == 0  # recording again changes nothing
    with world.sessions() as session:
        entry = session.scalars(select(RevenueEntry).where(RevenueEntry.settled_fee.is_not(None))).one()
        deposit = session.scalars(select(VaultDeposit).where(VaultDeposit.asset_id == asset,
                                                             VaultDeposit.token == token)).one()
    fee_bps = world.ctx.client.contract(world.ctx.deployment, "HarmoniEditions").functions.getEdition(
        edition).call()[8]
    paid, fee = 2 * PRICE, int(entry.settled_fee)
    assert (entry.period_id, entry.source, entry.asset_id) == (period, "direct_sales", asset)
    assert int(entry.amount) == 1_000  # cents
    assert entry.reference.startswith("edition-mint:0x")
    assert fee_bps > 0 and fee == paid * fee_bps // 10_000
    assert int(deposit.amount) == paid - fee  # the vault holds the artists' part

    world.mine_past(ends)
    world.index()
    stored = close_period(world.ctx, period, now=LATER)
    document = json.loads(get_content_addressed(world.ctx.store, "statements", stored.statement_uri, ".json"))
    assert document["settled_on_chain"] == {"total": str(paid), "sales": [
        {"reference": entry.reference, "asset_id": asset, "amount": str(paid), "fee": str(fee),
         "to_split_vault": str(paid - fee)}]}
    # Only the $10 of subscriptions goes through the root: 1e7 units, 30% fee, 60/40.
    assert document["revenue"]["direct_sales"] == "0"
    assert [(a["asset_id"], a["direct_sales"], a["net"]) for a in document["assets"]] == [(asset, "0", "7000000")]
    with world.sessions() as session:
        leaves = dict(session.execute(select(PayeeEntitlement.account, PayeeEntitlement.amount)
                                      .where(PayeeEntitlement.period_id == period)).all())
        balances = journal.balances(session, period)
    assert {k: int(v) for k, v in leaves.items()} == {A: 4_200_000, B: 2_800_000}
    assert int(stored.cumulative_total) == 7_000_000
    assert sum(balances.values()) == 0
    assert balances.get(journal.Account.revenue_direct_sales, 0) == 0
    assert balances[journal.Account.paid_via_split_vault] == -(paid - fee)
    assert balances[journal.Account.platform_fee] == -(fee + 3_000_000)
    assert balances[journal.Account.rights_holders_payable] == -7_000_000
    assert balances[journal.Account.cash] == paid + 10_000_000

    publish_period(world.ctx, period)
    assert world.ctx.token.functions.balanceOf(world.ctx.distributor.address).call() == 7_000_000  # not the sale
    report = verify_period(world.ctx, period)  # the auditor recomputes the same statement, sale included
    assert report.passed, report.as_text()
