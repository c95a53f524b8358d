"""Congress-term summary API."""
