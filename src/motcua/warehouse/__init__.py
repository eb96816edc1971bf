"""The warehouse database: the embedded PostgreSQL, bootstrap of schemas and roles, connections."""
