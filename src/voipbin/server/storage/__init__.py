"""Storage: the only package that talks SQL.

``tables`` declares the schema (SQLAlchemy Core), ``migrations`` evolves it (Alembic),
``statements`` compiles Core statements once per dialect, ``database`` runs them on the raw
driver (sqlite3 or asyncpg), ``repository`` is the generic per-resource data access, and
``reach`` says in one line why a database URL cannot be used.
"""
