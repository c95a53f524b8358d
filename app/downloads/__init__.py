"""The whole dataset as files, one per format and revision.

`registry` lists the distributions and their builders (`formats/` holds the builders of the
data package, JSON-LD and annotations; `sqlite` the SQLite snapshot), `store` builds each
revision's files once and prunes old ones, `check` proves a downloaded snapshot against the
API. Routes: `app/api/routes/downloads.py`; CLI: `congress-api build-downloads` and
`download-check`.
"""
