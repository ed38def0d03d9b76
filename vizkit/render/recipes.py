"""Training the classics, drawn: recipe curves, the SGD check, ReLU vs tanh, clipping, the cliff.

Data in: results of :mod:`vizkit.demos.recipes`, :mod:`vizkit.demos.activations_speed` and
:mod:`vizkit.demos.clipping` (numpy arrays and lists; no torch here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vizkit._validate import check_sequence
from vizkit.render._args import check_data, check_text

if TYPE_CHECKING:
    from vizkit.demos.activations_speed import ActivationSpeed
    from vizkit.demos.cliff import CliffDescent
    from vizkit.demos.clipping import ClipScopes
    from vizkit.demos.recipes import RecipeRun
    from vizkit.demos.sgd import SGDCheck

__all__ = [
    "activation_speed_figure",
    "cliff_figure",
    "clip_scopes_figure",
    "recipe_curves_figure",
    "sgd_check_figure",
]


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        height=height,
        width=980,
        margin={"t": 80, "b": 50},
    )
    return fig


def recipe_curves_figure(runs: Sequence[RecipeRun], *, title: str | None = None) -> go.Figure:
    """Test accuracy (left) and learning rate (right) per epoch, one line per recipe.

    Args:
        runs: From :func:`vizkit.demos.compare_recipes`.
        title: Figure title (default: "Training recipes of the classics, same net, same
            seed").

    Returns:
        ``go.Figure`` with two traces per run (accuracy, learning rate).

    Raises:
        TypeError: ``runs`` is not a list of ``RecipeRun``.
        ValueError: ``runs`` is empty.
    """
    items = check_sequence("runs", runs, what="RecipeRun objects")
    check_text("title", title)
    if not items:
        raise ValueError("runs is empty: pass the list compare_recipes returned")
    for i, r in enumerate(items):
        check_data(
            f"runs[{i}]", r, ("recipe", "epochs", "test_accuracies", "lrs"),
            "a RecipeRun from vizkit.demos.compare_recipes",
        )  # fmt: skip
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("test accuracy", "learning rate (log)")
    )  # fmt: skip
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    for i, r in enumerate(items):
        color = palette[i % len(palette)]
        name = f"{r.recipe.name} ({r.test_accuracies[-1]:.1%})"
        fig.add_trace(
            go.Scatter(x=r.epochs, y=r.test_accuracies, name=name, line={"color": color},
                       legendgroup=str(i)),
            1, 1,
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=r.epochs, y=r.lrs, name=name, line={"color": color},
                       legendgroup=str(i), showlegend=False),
            1, 2,
        )  # fmt: skip
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(type="log", dtick="D2", col=2)  # 1, 2, 5 labelled: not every digit
    return _layout(fig, title or "Training recipes of the classics, same net, same seed")


def sgd_check_figure(check: SGDCheck) -> go.Figure:
    """``max |θ_notes − θ_torch|`` per step (log scale), with the step where α was ÷10.

    Args:
        check: From :func:`vizkit.demos.sgd_update_check`.

    Returns:
        ``go.Figure`` with one trace (the difference) and, with a drop, a vertical line.
    """
    check_data(
        "check", check, ("max_difference", "lrs", "lr_drop_at"),
        "an SGDCheck from vizkit.demos.sgd_update_check",
    )  # fmt: skip
    steps = np.arange(1, len(check.max_difference) + 1)
    y = np.maximum(check.max_difference, 1e-18)  # log axis: show exact zeros at the floor
    fig = go.Figure(go.Scatter(x=steps, y=y, mode="lines+markers", name="max |θ_notes − θ_torch|"))
    if check.lr_drop_at is not None:
        fig.add_vline(
            x=check.lr_drop_at - 0.5, line_dash="dot",
            annotation_text=f"α ÷ 10 from step {check.lr_drop_at}",
        )  # fmt: skip
    fig.update_yaxes(type="log", title_text="largest difference")
    fig.update_xaxes(title_text="step")
    return _layout(fig, "The notes' SGD update vs torch.optim.SGD", height=380)


def activation_speed_figure(speed: ActivationSpeed) -> go.Figure:
    """Training error vs step for ReLU and tanh, with the target error as a line.

    Args:
        speed: From :func:`vizkit.demos.relu_vs_tanh`.

    Returns:
        ``go.Figure`` with one trace per activation and a horizontal target line.
    """
    check_data(
        "speed", speed, ("steps", "errors", "target_error", "steps_to_target"),
        "an ActivationSpeed from vizkit.demos.relu_vs_tanh",
    )  # fmt: skip
    fig = go.Figure()
    dashes = {"relu": "solid", "tanh": "dash"}
    for name, errors in speed.errors.items():
        hit = speed.steps_to_target.get(name)
        label = f"{name} ({hit} steps)" if hit else f"{name} (not reached)"
        fig.add_trace(
            go.Scatter(x=speed.steps, y=errors, name=label,
                       line={"dash": dashes.get(name, "solid")})
        )  # fmt: skip
    fig.add_hline(
        y=speed.target_error, line_dash="dot",
        annotation_text=f"{speed.target_error:.0%} training error",
    )  # fmt: skip
    fig.update_xaxes(title_text="SGD step")
    fig.update_yaxes(title_text="training error", range=[0, 1])
    return _layout(fig, "ReLU vs tanh, same net and batches (AlexNet, Figure 1)", height=400)


def clip_scopes_figure(scopes: ClipScopes) -> go.Figure:
    """Each parameter's gradient norm: before, clipped per variable, clipped globally.

    Args:
        scopes: From :func:`vizkit.demos.clip_scopes`.

    Returns:
        ``go.Figure`` with three bar traces and the threshold as a line.
    """
    check_data(
        "scopes", scopes,
        ("names", "norms_before", "norms_per_variable", "norms_global", "max_norm"),
        "a ClipScopes from vizkit.demos.clip_scopes",
    )  # fmt: skip
    fig = go.Figure()
    for label, values in (
        ("before", scopes.norms_before),
        ("per variable", scopes.norms_per_variable),
        ("global", scopes.norms_global),
    ):
        fig.add_trace(go.Bar(x=scopes.names, y=values, name=label))
    fig.add_hline(y=scopes.max_norm, line_dash="dot", annotation_text=f"c = {scopes.max_norm:g}")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="‖gradient‖ of the parameter")
    return _layout(
        fig,
        f"Clipping per variable (cos {scopes.cosine_per_variable:.3f}) vs global "
        f"(cos {scopes.cosine_global:.3f})",
    )


def cliff_figure(cliff: CliffDescent) -> go.Figure:
    """The cliff loss as contours, with the plain and the clipped descent paths.

    Args:
        cliff: From :func:`vizkit.demos.cliff_descent`.

    Returns:
        ``go.Figure``: a contour trace and two path traces (``without clipping``,
        ``with clipping``).
    """
    check_data(
        "cliff", cliff, ("w", "b", "surface", "path_plain", "path_clipped"),
        "a CliffDescent from vizkit.demos.cliff_descent",
    )  # fmt: skip
    fig = go.Figure(
        go.Contour(
            x=cliff.w, y=cliff.b, z=cliff.surface, colorscale="Viridis", ncontours=30,
            colorbar={"title": "loss"}, name="loss",
        )
    )  # fmt: skip
    for label, path, color in (
        ("without clipping", cliff.path_plain, "#ff4136"),
        ("with clipping", cliff.path_clipped, "#ffffff"),
    ):
        fig.add_trace(
            go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=label,
                       line={"color": color}, marker={"size": 5})
        )  # fmt: skip
    fig.update_xaxes(title_text="w")
    fig.update_yaxes(title_text="b", scaleanchor="x")
    fig.update_layout(legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.7)"})
    return _layout(fig, "A step at the cliff catapults the parameters; clipping caps it", 520)
