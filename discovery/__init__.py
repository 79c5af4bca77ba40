"""Finding music: search, genres and moods, trending, recommendations and analytics."""
