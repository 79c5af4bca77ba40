"""Finding music: search, trending, related recordings, recommendations and artist analytics."""
