"""HARMONI shared kernel: settings, database, CLI, errors, logging."""
