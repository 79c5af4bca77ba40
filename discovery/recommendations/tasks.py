"""Periodic discovery jobs: related recordings/artists and the recommendation model."""
