"""What the platform keeps about an edition off chain; the edition itself is mirrored (`ledger.models.Edition`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base
from ledger.models import Address, Uint256


class EditionListing(Base):
    """An edition as its artist asked for it: the on-chain parameters it is created with (by which it is matched to
    the mirrored edition), its fiat price for card sales and its metadata document (artwork, description)."""

    __tablename__ = "edition_listings"
    __table_args__ = (
        CheckConstraint("(fiat_price_cents is null) = (fiat_currency is null)", name="fiat_price_whole"),
        CheckConstraint("fiat_price_cents is null or fiat_price_cents > 0", name="fiat_positive"),
        CheckConstraint("royalty_bps between 0 and 1000", name="royalty_capped"),
        Index("ix_edition_listings_match", "chain_id", "asset_id", "creator", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    creator: Mapped[str] = mapped_column(Address)
    payment_token: Mapped[str] = mapped_column(Address)
    price: Mapped[Decimal] = mapped_column(Uint256)
    max_supply: Mapped[int] = mapped_column(BigInteger)
    sale_start: Mapped[int] = mapped_column(BigInteger)
    sale_end: Mapped[int] = mapped_column(BigInteger)
    per_wallet_cap: Mapped[int] = mapped_column(BigInteger)
    royalty_bps: Mapped[int] = mapped_column(Integer)
    fiat_price_cents: Mapped[int | None] = mapped_column(BigInteger)
    fiat_currency: Mapped[str | None] = mapped_column(String(3))
    metadata_uri: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
