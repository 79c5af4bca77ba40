from sqlalchemy import select

from chain.node import rpc_call
from indexer.follower import Follower, load_checkpoint
from indexer.models import IndexedBlock


def _stored(session, chain_id=31337):
    rows = session.execute(select(IndexedBlock).where(IndexedBlock.chain_id == chain_id)
                           .order_by(IndexedBlock.number)).scalars()
    return {row.number: row.hash for row in rows}


def test_follows_the_head_and_checkpoints_its_hash(sessions, anvil_client):
    start = anvil_client.head().number
    rpc_call(anvil_client.rpc_url, "anvil_mine", ["0x5"])
    follower = Follower(sessions, anvil_client, 31337, start_block=start)
    assert follower.step() == 6
    with sessions() as session:
        head = anvil_client.head()
        checkpoint = load_checkpoint(session, 31337)
        assert (checkpoint.block_number, checkpoint.block_hash) == (head.number, head.hash)
        assert _stored(session) == {n: anvil_client.block(n).hash for n in range(start, head.number + 1)}
    assert follower.step() == 0  # a replay of the same head is a no-op


def test_reorg_rewinds_to_the_common_ancestor_and_reapplies(sessions, anvil_client):
    start = anvil_client.head().number
    rpc_call(anvil_client.rpc_url, "anvil_mine", ["0x8"])
    follower = Follower(sessions, anvil_client, 31337, start_block=start)
    follower.step()
    before = anvil_client.head()
    rpc_call(anvil_client.rpc_url, "anvil_reorg", [3, []])
    after = anvil_client.head()
    assert after.number == before.number and after.hash != before.hash
    rpc_call(anvil_client.rpc_url, "anvil_mine", ["0x2"])
    follower.step()
    with sessions() as session:
        head = anvil_client.head()
        assert load_checkpoint(session, 31337).block_hash == head.hash
        assert _stored(session) == {n: anvil_client.block(n).hash for n in range(start, head.number + 1)}
