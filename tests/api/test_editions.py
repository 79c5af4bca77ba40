"""On anvil, through the API: an artist creates an edition with their own wallet, a fan buys it with the payout
token, and the mirror shows the supply left, the holders and the fan's collection."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from sqlalchemy.orm import sessionmaker

from chain.node import rpc_call
from chain.wallets import anvil_dev_account
from harmoni.db import get_engine
from identity.models import Wallet
from scripts.workload import Workload
from tests.api.conftest import index_chain
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
ARTIST, FAN, OTHER = (anvil_dev_account(i).address for i in (2, 5, 6))
PRICE = 5_000_000  # 5 USDC


class Shop:
    def __init__(self, api, chain) -> None:
        self.api, self.chain = api, chain
        self.work = Workload(chain.client.rpc_url, chain.deployment, seed=5)
        sessions = sessionmaker(bind=get_engine(api.database_url), expire_on_commit=False)
        settings = api.app.state.context.settings
        self.artist = make_user(sessions, settings, "artist").headers
        self.new_artist = lambda: make_user(sessions, settings, "artist").headers
        self.fan = make_user(sessions, settings, "fan").headers
        with sessions.begin() as session:
            session.add(Wallet(user_id=_user_id(api, self.artist), address=ARTIST, kind="linked"))
            session.add(Wallet(user_id=_user_id(api, self.fan), address=FAN, kind="linked"))
        self.editions = chain.client.contract(chain.deployment, "HarmoniEditions")

    def register(self, isrc: str, controller: str = ARTIST) -> int:
        registry = self.chain.client.contract(self.chain.deployment, "RightsRegistry")
        asset_id = registry.functions.assetCount().call() + 1
        self.work.send([self.work.tx(controller, "RightsRegistry", "registerRecording", [
            controller, isrc.encode(), keccak(text=isrc), [], f"ipfs://{isrc}", [controller], [1_000_000]])])
        return asset_id

    def send(self, sender: str, calls: list[dict]) -> None:
        self.work.send([{"from": sender, "to": c["to"], "data": c["data"], "value": hex(int(c["value"])),
                         "gas": hex(600_000)} for c in calls])

    def create(self, asset_id: int, **terms) -> dict:
        body = {"asset_id": asset_id, "title": "Blue Hour — signed", "description": "numbered copies",
                "artwork_uri": "ipfs://bafkreifxxuh4vhyovcdpqfpmblpwjz3q27wwbsmotwzdkf7v5ks6d36qmu",
                "price": PRICE, "fiat_price": {"amount_cents": 500, "currency": "USD"}, "max_supply": 3,
                "per_wallet_cap": 2, "royalty_bps": 500, **terms}
        prepared = self.api.post("/v1/editions/prepare", params={"controller": ARTIST}, json=body,
                                 headers=self.artist)
        assert prepared.status_code == 201, prepared.json()
        count = self.editions.functions.editionCount().call()
        self.send(ARTIST, [prepared.json()["transaction"]])
        assert self.editions.functions.editionCount().call() == count + 1
        return {**prepared.json(), "edition_id": count + 1}

    def buy(self, edition_id: int, quantity: int):
        return self.api.post(f"/v1/editions/{edition_id}/purchase/prepare", json={"wallet": FAN, "quantity": quantity},
                             headers=self.fan)


def _last_tx(chain, sender: str) -> str:
    """The hash of the latest transaction `sender` sent."""
    w3 = chain.client.w3
    for number in range(w3.eth.block_number, 0, -1):
        for tx in reversed(w3.eth.get_block(number, full_transactions=True).transactions):
            if tx["from"] == sender:
                return "0x" + bytes(tx["hash"]).hex()
    raise AssertionError(f"{sender} sent nothing")


def _user_id(api, headers) -> str:
    return api.get("/v1/me", headers=headers).json()["id"]


@pytest.fixture
def shop(live_api, chain) -> Shop:
    return Shop(live_api, chain)


def test_an_artist_creates_an_edition_and_a_fan_buys_it_with_crypto(shop, chain):
    api = shop.api
    asset = shop.register("USHRM2609101")
    index_chain(api, chain)
    created = shop.create(asset)
    assert created["from_address"] == ARTIST and created["metadata_uri"].startswith("ipfs://")
    index_chain(api, chain)

    listed = api.get("/v1/editions", params={"asset": asset})
    assert listed.status_code == 200, listed.json()
    [edition] = listed.json()["data"]
    assert int(listed.headers["x-harmoni-block"]) == listed.json()["block"]["number"]
    assert edition["edition_id"] == created["edition_id"] and edition["creator"] == ARTIST
    assert (edition["price"], edition["fiat_price"], edition["metadata_uri"]) == (
        str(PRICE), {"amount_cents": 500, "currency": "USD"}, created["metadata_uri"])
    assert (edition["supply_left"], edition["on_sale"], edition["sold_out"], edition["royalty_bps"]) == (3, True, False,
                                                                                                        500)
    assert api.get("/v1/editions", params={"asset": asset, "sold_out": "true"}).json()["data"] == []

    # The fan has 10 USDC: the prepared calls approve the edition contract, then mint two.
    shop.work.send([shop.work.tx(shop.work.admin, "DevStablecoin", "mint", [FAN, 2 * PRICE])])
    prepared = shop.buy(created["edition_id"], 2)
    assert prepared.status_code == 200, prepared.json()
    calls = prepared.json()["calls"]
    assert [c["to"] for c in calls] == [chain.deployment.payout_token, shop.editions.address]
    assert prepared.json()["total"] == str(2 * PRICE)
    shop.send(FAN, calls)
    assert shop.editions.functions.balanceOf(FAN, created["edition_id"]).call() == 2
    mint_tx = _last_tx(chain, FAN)
    pending = api.get(f"/v1/me/edition-purchases/{mint_tx}", headers=shop.fan).json()
    assert pending["status"] == "mint-pending" and pending["mints"] == []  # mined, not mirrored yet
    index_chain(api, chain)
    minted = api.get(f"/v1/me/edition-purchases/{mint_tx}", headers=shop.fan).json()
    assert minted["status"] == "minted", minted
    assert [(m["edition_id"], m["wallet"], m["quantity"], m["paid"]) for m in minted["mints"]] == [
        (created["edition_id"], FAN, 2, str(2 * PRICE))]
    assert api.get(f"/v1/me/edition-purchases/{mint_tx}", headers=shop.artist).status_code == 404  # not theirs

    detail = api.get(f"/v1/editions/{created['edition_id']}").json()
    assert (detail["data"]["minted"], detail["data"]["supply_left"]) == (2, 1)
    holders = api.get(f"/v1/editions/{created['edition_id']}/holders").json()
    assert holders["data"] == [{"wallet": FAN, "balance": 2}]
    collection = api.get("/v1/me/collection", headers=shop.fan)
    assert collection.status_code == 200
    [held] = collection.json()["data"]
    assert (held["wallet"], held["balance"], held["edition"]["edition_id"]) == (FAN, 2, created["edition_id"])
    assert api.get("/v1/me/collection", headers=shop.artist).json()["data"] == []

    capped = shop.buy(created["edition_id"], 1)  # two already, the cap is two
    assert capped.status_code == 409 and capped.json()["type"].endswith("/wallet-cap-reached"), capped.json()
    assert "at most 0 more" in capped.json()["detail"]
    too_many = shop.buy(created["edition_id"], 2)  # one left
    assert too_many.status_code == 409 and too_many.json()["type"].endswith("/sold-out"), too_many.json()


def test_sale_windows_and_bad_terms_are_refused_and_nothing_is_listed(shop, chain):
    api = shop.api
    asset = shop.register("USHRM2609102")
    theirs = shop.register("USHRM2609103", controller=OTHER)
    index_chain(api, chain)
    later = chain.client.head().timestamp + 86_400
    upcoming = shop.create(asset, sale_start=later)
    index_chain(api, chain)
    shut = shop.buy(upcoming["edition_id"], 1)
    assert shut.status_code == 409 and shut.json()["type"].endswith("/sale-not-active"), shut.json()
    assert api.get("/v1/editions", params={"asset": asset, "on_sale": "true"}).json()["data"] == []
    assert shop.buy(999, 1).status_code == 404
    # A purchase that reverted on chain says so (nothing charged).
    shop.send(FAN, [{"to": shop.editions.address, "value": "0",
                     "data": shop.editions.encode_abi("mint", args=[upcoming["edition_id"], 1])}])
    failed = api.get(f"/v1/me/edition-purchases/{_last_tx(chain, FAN)}", headers=shop.fan).json()
    assert failed["status"] == "mint-failed" and "nothing was charged" in failed["message"], failed

    body = {"asset_id": asset, "title": "x", "price": PRICE, "max_supply": 3}
    for change, field in (({"royalty_bps": 1001}, "royalty_bps"), ({"sale_start": 10, "sale_end": 5}, "sale_end"),
                          ({"price": PRICE + 1}, "price"), ({"max_supply": 0}, "max_supply"),
                          ({"price": 0, "fiat_price": {"amount_cents": 100, "currency": "USD"}}, "price")):
        refused = api.post("/v1/editions/prepare", params={"controller": ARTIST}, json={**body, **change},
                           headers=shop.artist)
        assert refused.status_code == 422 and refused.json()["field"] == field, (change, refused.json())
    not_mine = api.post("/v1/editions/prepare", params={"controller": ARTIST}, json={**body, "asset_id": theirs},
                        headers=shop.artist)
    assert not_mine.status_code == 403 and not_mine.json()["type"].endswith("/not-asset-controller")
    foreign = api.post("/v1/editions/prepare", params={"controller": OTHER}, json=body, headers=shop.artist)
    assert foreign.status_code == 403 and foreign.json()["type"].endswith("/wallet-not-yours")
    as_fan = api.post("/v1/editions/prepare", params={"controller": FAN}, json=body, headers=shop.fan)
    assert as_fan.status_code == 403
    stranger = api.post(f"/v1/editions/{upcoming['edition_id']}/purchase/prepare",
                        json={"wallet": OTHER, "quantity": 1}, headers=shop.fan)
    assert stranger.status_code == 403 and stranger.json()["type"].endswith("/wallet-not-yours")
    # Only the edition that was created is listed, with its listing.
    listed = api.get("/v1/editions", params={"artist": ARTIST}).json()["data"]
    assert [e["edition_id"] for e in listed] == [upcoming["edition_id"]] and listed[0]["metadata_uri"]


def test_an_artist_creates_an_edition_from_the_custodial_wallet(shop, chain):
    api, artist = shop.api, shop.new_artist()
    assert api.post("/v1/me/wallets/custodial", headers=artist).status_code == 201
    [custodial] = [w["address"] for w in api.get("/v1/me/wallets", headers=artist).json()]
    registered = api.post("/v1/works", headers=artist, json={
        "title": "Blue Hour", "iswc": "T-034.524.680-1", "split": [{"address": custodial, "share_percent": "100"}]})
    assert registered.status_code == 202, registered.json()
    index_chain(api, chain)
    asset = api.get(f"/v1/operations/{registered.json()['id']}", headers=artist).json()["asset_id"]
    body = {"asset_id": asset, "title": "Blue Hour — signed", "price": PRICE, "max_supply": 5, "royalty_bps": 250}

    broke = api.post("/v1/editions", json=body, headers=artist)  # a fresh custodial wallet has no gas
    assert broke.status_code == 409 and broke.json()["type"].endswith("/custodial-wallet-needs-gas"), broke.json()
    assert custodial in broke.json()["detail"]
    rpc_call(chain.client.rpc_url, "anvil_setBalance", [custodial, hex(10**18)])
    accepted = api.post("/v1/editions", json=body, headers={**artist, "Idempotency-Key": "blue-1"})
    assert accepted.status_code == 202, accepted.json()
    assert accepted.json()["from_address"] == custodial
    again = api.post("/v1/editions", json=body, headers={**artist, "Idempotency-Key": "blue-1"})
    assert again.status_code == 200 and again.json()["operation_id"] == accepted.json()["operation_id"]
    assert shop.editions.functions.editionCount().call() == 1  # sent once

    index_chain(api, chain)
    done = api.get(f"/v1/operations/{accepted.json()['operation_id']}", headers=artist).json()
    assert done["status"] == "confirmed" and done["kind"] == "create_edition", done
    [edition] = api.get("/v1/editions", params={"artist": custodial}).json()["data"]
    assert (edition["asset_id"], edition["royalty_bps"], edition["metadata_uri"]) == (
        asset, 250, accepted.json()["metadata_uri"])
