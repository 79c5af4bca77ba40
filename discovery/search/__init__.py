"""Search: one SearchBackend interface (PostgreSQL by default, OpenSearch by settings), fed by an outbox."""
