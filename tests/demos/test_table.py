"""``vizkit.demos._table.html_table``: the demos' result tables (their ``_repr_html_``)."""

from __future__ import annotations

from html.parser import HTMLParser

from vizkit.demos._table import html_table


class _Cells(HTMLParser):
    """Rows of (tag, text) cells, as a browser would read the table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self._tag: str | None = None
        self.table_class: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.table_class = dict(attrs).get("class")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._tag = tag
            self.rows[-1].append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag is not None:
            tag, text = self.rows[-1][-1]
            self.rows[-1][-1] = (tag, text + data)


def _parse(markup: str) -> _Cells:
    parser = _Cells()
    parser.feed(markup)
    parser.close()
    return parser


def test_one_header_row_then_one_row_per_item_with_the_css_class() -> None:
    rows = [["conv1", 1], ["conv2", 2], ["fc", 3]]
    table = _parse(html_table(["layer", "n"], rows, css="demo"))
    assert table.table_class == "vizkit-demo"
    assert table.rows[0] == [("th", "layer"), ("th", "n")]
    assert [[text for _, text in row] for row in table.rows[1:]] == [
        [name, str(n)] for name, n in rows
    ]
    assert all(tag == "td" for row in table.rows[1:] for tag, _ in row)


def test_cells_are_formatted_by_type() -> None:
    row = [True, False, 1234567, (35, 35, 288), (), 0.00123456, 12.3456, 0.0]
    (cells,) = (r for r in _parse(html_table(list("abcdefgh"), [row], css="t")).rows[1:])
    assert [text for _, text in cells] == [
        "✓",  # bools before ints: True is an int too
        "✗",
        "1,234,567",
        "35 × 35 × 288",
        "—",
        "0.00123",
        "12.35",
        "0",
    ]


def test_text_headers_and_tuples_are_escaped() -> None:
    markup = html_table(["a<b"], [["<script>"], [("x<y", 2)]], css="t")
    assert "<script>" not in markup and "x<y" not in markup
    table = _parse(markup)
    assert table.rows[0] == [("th", "a<b")]
    assert [row[0][1] for row in table.rows[1:]] == ["<script>", "x<y × 2"]
