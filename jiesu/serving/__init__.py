"""The serving layer: HTTP API (`app.create_app`), ticket workflow (`workflow`, `services`), persistence
(`orm`, `db`, Alembic migrations), API keys (`auth`) and the `serve` / `db` / `keys` commands."""
