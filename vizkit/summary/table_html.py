"""HTML for a :class:`~vizkit.summary.table.LayerTable` in a notebook (stdlib only).

Only the layer table: the demos' small result tables (any headers and rows, cells formatted by
type) are ``vizkit.demos._table.html_table``, which has none of this table's columns or row
classes.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vizkit.summary.table import LayerTable

__all__ = ["human_bytes", "human_count", "table_html"]


def human_count(n: float) -> str:
    """Count with an SI prefix: ``human_count(15_470_000_000) == '15.47 G'``.

    >>> human_count(34944)
    '34.94 k'
    """
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.2f} {prefix}"
    return f"{n:g}"


def human_bytes(n: float) -> str:
    """Bytes in binary units: ``human_bytes(96 * 2**20) == '96.0 MiB'``.

    >>> human_bytes(1536)
    '1.5 KiB'
    """
    for factor, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if abs(n) >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{int(n)} B"


_STYLE = (
    "<style>.vk-table td,.vk-table th{padding:2px 8px;text-align:right;font-family:monospace}"
    ".vk-table td:first-child,.vk-table td:nth-child(2){text-align:left}"
    ".vk-table tr.vk-unused td{color:#999}.vk-table tr.vk-own td{font-style:italic}</style>"
)


def table_html(table: LayerTable) -> str:
    """The table as HTML: one line per row (leaf or a block's own part), totals, conventions."""
    head = (
        "<tr><th>layer</th><th>type</th><th>output shape</th><th>params</th>"
        "<th>weights / bias / norm</th><th>new activations</th><th>memory</th><th>MACs</th>"
        "<th>other ops</th><th>RF size</th><th>RF jump</th><th>RF start</th></tr>"
    )
    lines = [_STYLE, '<table class="vk-table">', head]
    for r in table.all_rows:
        rf = r.receptive_field
        classes = [c for c, on in (("vk-unused", r.output_shape is None), ("vk-own", r.own)) if on]
        cls = f' class="{" ".join(classes)}"' if classes else ""
        if r.output_shape is None:
            shape = "did not run" if table.output_type is not None else ""
        else:
            shape = "×".join(map(str, r.output_shape))
        memory = "in place" if r.inplace else human_bytes(r.activation_bytes)
        blank = r.output_shape is None or (r.own and not r.activation_bytes)
        cells = [
            html.escape(r.label),
            html.escape(r.type),
            shape,
            f"{r.params:,}",
            f"{r.weight_params:,} / {r.bias_params:,} / {r.norm_params:,}",
            "" if blank else f"{r.activations:,}",
            "" if blank else memory,
            human_count(r.macs) if r.macs else "",
            human_count(sum(r.other_ops.values())) if r.other_ops else "",
            "" if rf is None else "{}×{}".format(*rf.int_size) + ("" if rf.exact else "≤"),
            "" if rf is None else "{:g}×{:g}".format(*rf.jump),
            "" if rf is None else "{:g}, {:g}".format(*rf.start),
        ]
        lines.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</table>")
    other = ", ".join(f"{k} {human_count(v)}" for k, v in sorted(table.other_ops.items()))
    params = (
        f"parameters {table.total_params:,} ({table.trainable_params:,} trainable), "
        f"{human_bytes(table.param_bytes)}"
    )
    if table.output_type is None:  # no input given: nothing ran
        summary = [params, *(html.escape(n) for n in table.notes)]
        lines.append("<ul>" + "".join(f"<li>{s}</li>" for s in summary) + "</ul>")
        return "".join(lines)
    inputs = ", ".join(str(t) for t in table.inputs) or "none"
    summary = [
        html.escape(f"input: {inputs} · output: {table.output_text}"),
        params,
        f"MACs {human_count(table.total_macs)} = FLOPs {human_count(table.total_flops)} / 2 "
        "(conv, linear, attention and recurrent multiply-accumulates)",
        f"other ops, one per element: {other or 'none'}",
        "rows marked (own): what a module with children holds, runs or returns itself, outside "
        "its children (e.g. ViT's class_token, a residual add, a concatenation); a module run "
        "several times has a row per call; the rows add up to the totals",
        f"activations kept by a forward pass (input and every new module output): "
        f"{human_bytes(table.activation_bytes)}; "
        f"inference peak {human_bytes(table.inference_peak_bytes)}; "
        f"saved for backward in training {human_bytes(table.training_saved_bytes)}",
        f"one training step with Adam: {human_bytes(table.training_memory('adam'))} "
        f"(parameters ×4: weights, gradients, two moments)",
    ]
    if table.fallback_reason:
        summary.append(f"measured with a real forward pass: {html.escape(table.fallback_reason)}")
    summary.extend(html.escape(n) for n in table.notes)
    lines.append("<ul>" + "".join(f"<li>{s}</li>" for s in summary) + "</ul>")
    return "".join(lines)
