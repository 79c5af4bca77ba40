"""Artist analytics: daily rollups of plays and listeners, partner-reported usage per territory."""
