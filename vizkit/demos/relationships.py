"""Dumoulin & Visin's fifteen relationships, each checked against a real torch layer.

For every :class:`~vizkit.geometry.relationships.Relationship` this builds the layer it
describes (``nn.Conv2d``, ``nn.MaxPool2d`` or ``nn.ConvTranspose2d``, dilated for relationship
15) with the setting's numbers, runs it on a tiny zeros input and compares the output size with
the guide's closed form and vizkit's geometry function. The result is data (a
:class:`RelationshipTable`) that a notebook displays as a table.

Example:
    >>> table = check_relationships()
    >>> len(table.rows), table.all_agree
    (15, True)
    >>> table.rows[13].params, table.rows[13].torch
    ('i′ = 3, k = 3, s = 2, p = 1, a = 1', 6)
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import nn

from vizkit._validate import check_memory, check_sequence, describe
from vizkit.geometry.relationships import RELATIONSHIPS, Relationship, Setting

__all__ = [
    "RelationshipCheck",
    "RelationshipTable",
    "check_relationships",
    "torch_layer",
    "torch_output_size",
]


def torch_layer(rel: Relationship, setting: Setting) -> nn.Module:
    """The torch layer that relationship ``rel`` describes, with ``setting``'s numbers.

    One input and one output channel, square kernel; no bias (it does not change sizes).

    Raises:
        TypeError: ``rel`` is not a Relationship or ``setting`` not a Setting.
    """
    if not isinstance(rel, Relationship):
        raise TypeError(
            f"rel must be a Relationship from vizkit.geometry.RELATIONSHIPS, got "
            f"{type(rel).__name__}"
        )
    if not isinstance(setting, Setting):
        raise TypeError(
            f"setting must be a vizkit.geometry.Setting, got "
            f"{type(setting).__name__}: e.g. Setting(5, 3, stride=2)"
        )
    s = setting
    if rel.kind == "pool":
        return nn.MaxPool2d(s.kernel_size, stride=s.stride, padding=s.padding, dilation=s.dilation)
    if rel.kind == "transposed":
        return nn.ConvTranspose2d(
            1,
            1,
            s.kernel_size,
            stride=s.stride,
            padding=s.padding,
            output_padding=s.output_padding,
            dilation=s.dilation,
            bias=False,
        )
    return nn.Conv2d(
        1, 1, s.kernel_size, stride=s.stride, padding=s.padding, dilation=s.dilation, bias=False
    )


def torch_output_size(rel: Relationship, setting: Setting) -> int:
    """Output size of :func:`torch_layer` on a ``(1, 1, i, i)`` zeros input.

    Raises:
        TypeError: see :func:`torch_layer`.
        ValueError: torch rejects the configuration (its own message), or the input is
            above vizkit's memory budget.
    """
    return _run(torch_layer(rel, setting), setting.input_size)


def _run(layer: nn.Module, size: int) -> int:
    check_memory(
        size * size * 4 * 3,
        name="setting",
        value=f"input_size={size}",
        what=f"a {size}×{size} input and the layer's output",
        fix="the relationships hold for small sizes too: use an input_size below 1000",
    )
    try:
        with torch.no_grad():
            out = layer(torch.zeros(1, 1, size, size))
    except RuntimeError as err:
        raise ValueError(
            f"setting: torch rejects {layer!r} on a {size}×{size} input ({err})"
        ) from None
    return int(out.shape[-1])


@dataclass(frozen=True)
class RelationshipCheck:
    """One row: a relationship on one setting, three ways.

    Attributes:
        number, name, formula: from the relationship.
        params: the setting in the guide's letters.
        closed_form: the guide's formula evaluated.
        vizkit: vizkit's geometry function.
        torch: the real layer's output size.
        layer: ``repr`` of that layer.
        figure: the guide's figure when the setting is the guide's example, else ``""``.
    """

    number: int
    name: str
    formula: str
    params: str
    closed_form: int
    vizkit: int
    torch: int
    layer: str
    figure: str = ""

    @property
    def agree(self) -> bool:
        """``closed_form == vizkit == torch``."""
        return self.closed_form == self.vizkit == self.torch


_STYLE = (
    "<style>.vk-rel td,.vk-rel th{padding:2px 8px;text-align:left}"
    ".vk-rel td.n{text-align:right;font-family:monospace}"
    ".vk-rel td.code{font-family:monospace;font-size:85%;color:#555}"
    ".vk-rel tr.bad td{background:#fde2e2}</style>"
)


@dataclass(frozen=True)
class RelationshipTable:
    """The checked relationships, one :class:`RelationshipCheck` per row.

    Displayed as an HTML table in a notebook; :attr:`all_agree` is the one-word verdict.
    """

    rows: tuple[RelationshipCheck, ...]

    @property
    def all_agree(self) -> bool:
        """True when every row's closed form, vizkit and torch give the same size."""
        return all(r.agree for r in self.rows)

    def __repr__(self) -> str:
        lines = [
            f"R{r.number:<3} {r.formula:<45} {r.params:<36} {r.closed_form:>3} "
            f"{r.vizkit:>3} {r.torch:>3} {'✓' if r.agree else '✗'}"
            for r in self.rows
        ]
        return "\n".join([*lines, f"all agree: {self.all_agree}"])

    def _repr_html_(self) -> str:
        head = (
            "<tr><th>R</th><th>case</th><th>formula</th><th>setting</th><th>guide</th>"
            "<th>closed form</th><th>vizkit</th><th>torch</th><th>agree</th>"
            "<th>torch layer</th></tr>"
        )
        lines = [_STYLE, '<table class="vk-rel">', head]
        for r in self.rows:
            cells = [
                f'<td class="n">{r.number}</td>',
                f"<td>{html.escape(r.name)}</td>",
                f"<td>{html.escape(r.formula)}</td>",
                f"<td>{html.escape(r.params)}</td>",
                f"<td>{html.escape(r.figure)}</td>",
                *(f'<td class="n">{v}</td>' for v in (r.closed_form, r.vizkit, r.torch)),
                f"<td>{'✓' if r.agree else '✗'}</td>",
                f'<td class="code">{html.escape(r.layer)}</td>',
            ]
            cls = "" if r.agree else ' class="bad"'
            lines.append(f"<tr{cls}>{''.join(cells)}</tr>")
        lines.append("</table>")
        bad = [r.number for r in self.rows if not r.agree]
        verdict = (
            f"all {len(self.rows)} rows agree: closed form = vizkit = torch"
            if not bad
            else f"rows {bad} disagree"
        )
        lines.append(f"<p>{verdict}</p>")
        return "".join(lines)


def check_relationships(
    cases: Iterable[tuple[Relationship, Setting]] | None = None,
) -> RelationshipTable:
    """Check relationships against real torch layers: closed form, vizkit and torch per row.

    Args:
        cases: ``(relationship, setting)`` pairs to check; default: every relationship of
            :data:`~vizkit.geometry.relationships.RELATIONSHIPS` on the guide's own example.

    Returns:
        A :class:`RelationshipTable`, one row per case, in order.

    Raises:
        GeometryError: a setting that does not meet its relationship's conditions (or that
            vizkit rejects).
        TypeError: ``cases`` is not a list of (Relationship, Setting) pairs.
        ValueError: torch rejects a setting, or its input is above the memory budget.
    """
    if cases is None:
        chosen = [(r, r.example) for r in RELATIONSHIPS]
    else:
        chosen = list(check_sequence("cases", cases, what="(Relationship, Setting) pairs"))
        for case in chosen:
            if not isinstance(case, tuple | list) or len(case) != 2:
                raise TypeError(
                    f"cases must hold (Relationship, Setting) pairs, got {describe(case)}: e.g. "
                    "[(RELATIONSHIPS[0], Setting(5, 3))]"
                )
            try:
                torch_layer(*case)  # the kinds, before any row is computed
            except TypeError as err:
                raise TypeError(f"cases: {err}") from None
    rows = []
    for rel, setting in chosen:
        layer = torch_layer(rel, setting)
        rows.append(
            RelationshipCheck(
                number=rel.number,
                name=rel.name,
                formula=rel.formula,
                params=rel.params_text(setting),
                closed_form=rel.closed_form(setting),
                vizkit=rel.vizkit(setting),
                torch=_run(layer, setting.input_size),
                layer=repr(layer),
                figure=rel.figure if setting == rel.example else "",
            )
        )
    return RelationshipTable(tuple(rows))
