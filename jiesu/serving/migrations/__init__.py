"""Alembic migrations, shipped inside the package (run through `jiesu.serving.db.upgrade`)."""
