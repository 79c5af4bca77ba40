"""Split arithmetic, identical to SplitVault's: integers only, the remainder to the first recipient."""

from __future__ import annotations

from collections.abc import Sequence

SCALE = 1_000_000
MAX_RECIPIENTS = 250


def split_amount(amount: int, allocations: Sequence[int]) -> list[int]:
    """Each recipient i > 0 gets floor(amount * allocation_i / 1e6); recipient 0 gets the rest of the whole.

    The parts always sum to `amount`; recipient 0 gets its exact share plus less than n - 1 units.
    """
    if not allocations:
        raise ValueError("a split needs at least one recipient")
    parts = [amount * allocation // SCALE for allocation in allocations]
    parts[0] = amount - sum(parts[1:])
    return parts
