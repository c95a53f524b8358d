"""Text folding for accent-insensitive matching of Vietnamese."""

import unicodedata


def fold(text: str) -> str:
    """NFC, strip combining marks, đ→d, case-fold: 'Đường Văn' and 'duong van' fold alike."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()
