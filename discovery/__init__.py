"""Finding music: search, genres and moods, trending, related recordings, recommendations and artist analytics."""
