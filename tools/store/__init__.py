"""The store: its schema (versioned migrations), the deterministic seed, admin and read queries.

- `migrate`: `apply_migrations(conn)`, `schema_version(conn)`
- `seed`: `seed_store(conn, seed=7, customers=300, replace=False)`, `ensure_seeded(conn)`,
  `list_scenarios(conn)`
- `admin`: `store_status(conn)`, `reset_store(conn)`
- `queries`: async, customer-scoped reads for the specialists
"""
