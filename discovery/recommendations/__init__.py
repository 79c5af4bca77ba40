"""Related recordings and artists, and personal recommendations (implicit-feedback ALS)."""
