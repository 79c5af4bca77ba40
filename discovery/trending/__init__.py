"""Trending recordings, artists and editions: scored by a periodic job into `trending_entries`."""
