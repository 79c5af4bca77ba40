"""What can go wrong with periods, payouts and audits, each with its HTTP status and problem type."""

from __future__ import annotations

from harmoni.errors import Conflict, NotFound, ValidationFailed


class PeriodNotFound(NotFound):
    slug = "period-not-found"
    title = "Royalty period not found"


class PeriodNotOpen(Conflict):
    slug = "period-not-open"
    title = "Royalty period is not open"


class PeriodOutOfOrder(Conflict):
    slug = "period-out-of-order"
    title = "Royalty periods are settled in order"


class PeriodNotOver(Conflict):
    slug = "period-not-over"
    title = "Royalty period has not ended"


class ChainNotCaughtUp(Conflict):
    slug = "chain-not-caught-up"
    title = "The chain or its mirror has not reached the period's end"


class PeriodNotClosed(Conflict):
    slug = "period-not-closed"
    title = "Royalty period is not closed"


class NothingToPublish(Conflict):
    slug = "nothing-to-publish"
    title = "The period pays nobody"


class PublisherUnderfunded(Conflict):
    slug = "publisher-underfunded"
    title = "The publisher cannot fund the payout"


class InvalidPeriod(ValidationFailed):
    slug = "invalid-period"
    title = "Invalid royalty period"


class PeriodTooLarge(Conflict):
    """The period's payout would not fit the PayoutDistributor (uint256 cumulative total)."""

    slug = "period-too-large"
    title = "Period too large for the payout contract"


class RevenueNotFound(NotFound):
    slug = "revenue-not-found"
    title = "Revenue entry not found"


class InvalidRevenue(ValidationFailed):
    slug = "invalid-revenue"
    title = "Invalid revenue entry"


class NoClaimableAmount(Conflict):
    slug = "nothing-to-claim"
    title = "Nothing to claim"


class StatementNotFound(NotFound):
    slug = "statement-not-found"
    title = "Statement not found"
