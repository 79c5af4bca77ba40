"""Reads of the mirrored ledger: filters, cursors, history, and the block each answer reflects."""

from chain.node import rpc_call
from chain.rpc import JsonRpc
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from indexer.store import save_checkpoint
from ledger import catalog
from scripts.workload import Workload

PROBLEM = "application/problem+json"


def _indexed(chain, sessions, actions=40):
    work = Workload(chain.client.rpc_url, chain.deployment, seed=21)
    next_id = work.next_asset_id()
    for _ in range(actions):
        tx, next_id = work.random_action(next_id)
        work.send([tx])
    config = IndexerConfig(chain_id=31337, start_block=chain.deployment.start_block,
                           addresses={n: chain.deployment.address(n) for n in INDEXED_CONTRACTS})
    Indexer(sessions, JsonRpc(chain.client.rpc_url), config).run_until_caught_up()
    return work


def test_list_pages_through_every_asset_and_names_the_block(api, chain, sessions):
    _indexed(chain, sessions)
    head = chain.client.head()
    seen, cursor = [], None
    while True:
        response = api.get("/v1/assets", params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        body = response.json()
        assert body["block"] == {"number": head.number, "hash": "0x" + head.hash.hex()}
        assert response.headers["x-harmoni-block"] == str(head.number)
        assert response.headers["x-harmoni-block-hash"] == "0x" + head.hash.hex()
        seen += [a["asset_id"] for a in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    registry = chain.client.contract(chain.deployment, "RightsRegistry")
    assert seen == list(range(1, registry.functions.assetCount().call() + 1))


def test_filters_by_kind_controller_payee_and_code(api, chain, sessions):
    _indexed(chain, sessions)
    everything = api.get("/v1/assets", params={"limit": 200}).json()["data"]
    work = next(a for a in everything if a["kind"] == "work")
    works = api.get("/v1/assets", params={"kind": "work", "limit": 200}).json()["data"]
    assert works and all(a["kind"] == "work" for a in works)
    by_controller = api.get("/v1/assets", params={"controller": work["controller"].lower(), "limit": 200}).json()
    assert by_controller["data"] and all(a["controller"] == work["controller"] for a in by_controller["data"])
    payee = work["split"]["recipients"][0]
    by_payee = api.get("/v1/assets", params={"payee": payee, "limit": 200}).json()["data"]
    assert work["asset_id"] in [a["asset_id"] for a in by_payee]
    assert all(payee in a["split"]["recipients"] for a in by_payee)
    dashed = work["industry_code"][:1] + "-" + work["industry_code"][1:]
    by_code = api.get("/v1/assets", params={"code": dashed}).json()["data"]
    assert [a["asset_id"] for a in by_code] == [work["asset_id"]]


def test_detail_has_split_history_with_blocks(api, chain, sessions):
    _indexed(chain, sessions, actions=60)
    everything = api.get("/v1/assets", params={"limit": 200}).json()["data"]
    asset = max(everything, key=lambda a: a["split"]["version"])
    detail = api.get(f"/v1/assets/{asset['asset_id']}").json()
    history = detail["split_history"]
    assert [v["version"] for v in history] == list(range(1, asset["split"]["version"] + 1))
    assert history[-1]["split_hash"] == asset["split"]["split_hash"] == detail["data"]["split"]["split_hash"]
    for version in history:
        receipt = chain.client.w3.eth.get_transaction_receipt(version["tx_hash"])
        assert receipt["blockNumber"] == version["block_number"]


def test_bad_input_is_problem_json_naming_the_field(api, chain, sessions):
    _indexed(chain, sessions, actions=5)
    for params, field in (({"payee": "0x123"}, "payee"), ({"limit": 0}, "limit"), ({"kind": "album"}, "kind"),
                          ({"cursor": "bm9wZQ"}, "cursor")):
        response = api.get("/v1/assets", params=params)
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, params
        assert field in response.json()["detail"] or response.json().get("field") == field, response.json()
    missing = api.get("/v1/assets/999999")
    assert missing.status_code == 404 and missing.json()["type"].endswith("/asset-not-found")


def test_reads_before_any_indexing_say_so(api, anvil_client):
    rpc_call(anvil_client.rpc_url, "anvil_mine", ["0x1"])
    response = api.get("/v1/assets")
    assert response.status_code == 503 and response.json()["failing"] == ["indexer"]


def test_answers_are_cached_per_indexed_block(api, chain, sessions):
    _indexed(chain, sessions, actions=5)
    cache = api.app.state.context.mirror_cache
    first = api.get("/v1/assets/1")
    rpc_call(chain.client.rpc_url, "anvil_mine", ["0x3"])
    head = chain.client.head()
    with sessions.begin() as session:
        save_checkpoint(session, 31337, head.number, head.hash)
    cache.checkpoint_ttl_s = 3600  # within the checkpoint's time to live: the same answer, same block
    assert api.get("/v1/assets/1").headers["x-harmoni-block"] == first.headers["x-harmoni-block"]
    cache.expire()  # or expired: the new block is read and named
    fresh = api.get("/v1/assets/1")
    assert fresh.headers["x-harmoni-block"] == str(head.number) and fresh.json()["block"]["number"] == head.number
    assert fresh.json()["data"] == first.json()["data"]


def test_title_words_find_assets_with_the_other_filters_and_cursors(api, chain, sessions):
    _indexed(chain, sessions)
    everything = api.get("/v1/assets", params={"limit": 200}).json()["data"]
    assert all(a["title"] is None for a in everything)  # registered without HARMONI: no title known
    works = [a for a in everything if a["kind"] == "work"]
    recording = next(a for a in everything if a["kind"] == "recording")
    titles = {works[0]["asset_id"]: "Blue Hour", works[1]["asset_id"]: "Blue Monday (12\" mix)",
              works[2]["asset_id"]: "Hourglass", recording["asset_id"]: "BLUE hour — live",
              works[3]["asset_id"]: "Café Bleu"}
    with sessions.begin() as session:
        for asset in everything:
            if asset["asset_id"] in titles:
                catalog.remember(session, asset["metadata_uri"], {"title": titles[asset["asset_id"]]})
        catalog.remember(session, works[0]["metadata_uri"], {"title": "remembered once: the first title stays"})

    def found(**params) -> list[int]:
        response = api.get("/v1/assets", params={"limit": 200, **params})
        assert response.status_code == 200, response.json()
        return [a["asset_id"] for a in response.json()["data"]]

    blue = sorted(i for i, t in titles.items() if t.lower().startswith("blue"))
    assert found(q="blue") == found(q="BLUE") == blue
    assert found(q="blue hou") == sorted([works[0]["asset_id"], recording["asset_id"]])  # every word, as prefixes
    assert found(q="hour") == sorted([works[0]["asset_id"], works[2]["asset_id"], recording["asset_id"]])
    assert found(q="our") == []  # words are matched from their start
    assert found(q="café") == [works[3]["asset_id"]] and found(q="cafe") == []  # no accent folding
    assert found(q="mix 12") == [works[1]["asset_id"]]
    assert found(q="blue", kind="recording") == [recording["asset_id"]]
    assert found(q="blue", code=recording["industry_code"]) == [recording["asset_id"]]
    detail = api.get(f"/v1/assets/{works[0]['asset_id']}").json()["data"]
    assert detail["title"] == "Blue Hour"

    pages, cursor = [], None
    while True:
        body = api.get("/v1/assets", params={"q": "blue", "limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        pages += [(a["asset_id"], a["title"]) for a in body["data"]]
        if (cursor := body["next_cursor"]) is None:
            break
    assert pages == [(i, titles[i]) for i in blue]

    for q in ("!!", "-"):
        refused = api.get("/v1/assets", params={"q": q})
        assert refused.status_code == 422 and refused.json()["field"] == "q", refused.json()
