"""Search across every kind of record: accent- and đ-insensitive, ranked, on SQLite and PostgreSQL.

`terms` turns user input into words and match expressions, `index` holds the SQL over the index
that the migration `0426a2f856b7` builds and its triggers keep in step.
"""
