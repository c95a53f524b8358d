"""CSV cells a spreadsheet would run as formulas are written as text (OWASP's advice)."""

from pydantic import BaseModel

from app.api.rendering import to_csv


class Row(BaseModel):
    id: str
    text: str


def test_a_cell_that_starts_like_a_formula_is_neutralised() -> None:
    texts = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok"]
    body = to_csv(Row, [{"id": str(i), "text": t} for i, t in enumerate(texts)])
    cells = [line.split(",", 1)[1] for line in body.split("\r\n")[1:] if line]
    assert cells[0] == '"\'=HYPERLINK(""http://x"")"'
    assert cells[1:4] == ["'+1+2", "'-2+3", "'@SUM(A1)"]
    assert cells[4] == "'\tx" and cells[5] == '"\'\rx"' and cells[6] == "ok"


def test_a_plain_negative_number_is_left_a_number() -> None:
    body = to_csv(Row, [{"id": "a", "text": "-3.5"}])
    assert body.endswith("a,-3.5\r\n")
