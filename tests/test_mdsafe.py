"""mdsafe.to_html: Markdown people write -> HTML that reads well to everyone."""

from __future__ import annotations

import pytest

from site_builder.plans import mdsafe


@pytest.mark.parametrize(
    "table",
    [
        "| | |\n|---|---|\n| Lot | 7 |\n",
        "|  |   |\n|:--|--:|\n| Lot | 7 |\n",
        "<table><thead><tr><th> </th><th></th></tr></thead><tbody><tr><td>Lot</td><td>7</td></tr>"
        "</tbody></table>\n",
    ],
)
def test_a_header_row_of_empty_cells_is_no_header(table):
    html = mdsafe.to_html(table)
    assert "<th" not in html and "<thead" not in html
    assert "<td>Lot</td>" in html.replace('<td align="left">', "<td>")


def test_an_empty_header_cell_becomes_a_data_cell_and_the_others_stay():
    html = mdsafe.to_html("| Item | |\n|---|---|\n| Lot | 7 |\n")
    assert "<th>Item</th>" in html and "<td></td>" in html
