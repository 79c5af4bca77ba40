"""Usage in: plays from the platform's player and partners' usage reports."""
