"""The one write path: every change (API request, import, seed run, revert) goes through here.

`kinds` names what can be written, `states` reads and writes a record's stored state,
`writer` runs a change in one locked transaction with its history entry and revision bump,
`commands` are what routes and the CLI call, `tokens` the editors' bearer tokens.
"""
