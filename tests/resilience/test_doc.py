"""docs/resilience.md's table is matrix.py's: the doc cannot drift from what is tested."""

from pathlib import Path

from .matrix import CAPABILITIES, ROWS, markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "resilience.md"


def test_the_doc_holds_the_generated_table():
    text = DOC.read_text()
    start = text.index("<!-- matrix:start -->\n") + len("<!-- matrix:start -->\n")
    end = text.index("<!-- matrix:end -->")
    assert text[start:end] == markdown_table(), (
        "docs/resilience.md's table differs from tests/resilience/matrix.py: "
        "paste the output of `python -m tests.resilience.matrix` between the markers"
    )


def test_every_row_has_every_capability_and_no_cell_allows_a_500():
    for row in ROWS:
        assert set(row.cells) == set(CAPABILITIES), row.key
        for name, cell in row.cells.items():
            assert cell.statuses, (row.key, name)
            assert 500 not in cell.statuses, (row.key, name)
            assert cell.gets, (row.key, name)


def test_every_row_has_a_test():
    from . import test_matrix

    tested = {name.removeprefix("test_") for name in dir(test_matrix) if name.startswith("test_")}
    assert {row.key for row in ROWS} <= tested
