"""Royalties: periods, the double-entry journal, statements, payouts on chain and their audit."""
