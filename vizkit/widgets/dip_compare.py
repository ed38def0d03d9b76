"""DIPComparePanel: several Deep Image Prior fits side by side, run when you press Run.

Comparisons cost one fit per variant (four seeds, four networks): minutes on a CPU. A notebook
shows this panel instead of running them, so "Run All" stays fast and the comparison is one
click away. Wiring only: the fits are :func:`vizkit.dip.inpaint`'s, the figure
:func:`vizkit.render.dip.dip_results_figure`'s.

Run fits in a background thread: the kernel is free meanwhile (its indicator shows idle, other
cells run, more slowly) and the status line says so. Stop ends the fit in progress — it keeps
its best image — and skips the variants not yet run; the figure shows what finished.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import ipywidgets as widgets

from vizkit._validate import (
    check_choice,
    check_instance,
    check_int,
    check_seed,
    check_sequence,
)
from vizkit.render.dip import dip_results_figure
from vizkit.widgets._dip_options import check_task_options
from vizkit.widgets._figure_widget import FigureWidget
from vizkit.widgets._kernel_clicks import on_click_now

__all__ = ["DIPComparePanel"]

Experiment = Literal["seeds", "networks"]

#: At most this many fits per panel (each takes minutes on a CPU).
_MAX_VARIANTS = 16
#: Options the panel sets itself for every fit (its Stop button and status line).
_PANEL_OWNED = ("stop", "callback", "callback_every")


class DIPComparePanel(widgets.VBox):
    """Inpaint one image once per seed or per network — on a click on Run.

    Args:
        experiment: ``"seeds"`` (a different ``z`` and initial weights per fit: different
            plausible fills) or ``"networks"`` (which architecture is the prior).
        image: ``(H, W, 3)`` image in ``[0, 1]``.
        mask: ``(H, W)`` mask, 1 = known pixel, 0 = hole.
        seeds: The seeds for ``"seeds"``.
        networks: Label → :class:`vizkit.dip.NetSpec` for ``"networks"`` (default
            :func:`vizkit.dip.prior_networks`).
        before: Title → image panels shown first in the figure (e.g. the masked input).
        size: Width of each panel in pixels.
        **options: Passed to every :func:`vizkit.dip.inpaint` (``clean``, ``preset``,
            ``device``, ``steps``, ``input``; ``network`` for ``"seeds"``, ``seed`` for
            ``"networks"`` …) and on to :func:`vizkit.dip.fit`; names and common values
            are checked when the panel is made.

    Attributes:
        run_button, stop_button: The buttons.
        status: ``HTML`` status line.
        figure: The ``FigureWidget`` that shows the results (the ``before`` panels until then).
        results: Label → :class:`vizkit.dip.FitResult` of the last run (finished fits only).

    Raises:
        ValueError: Unknown ``experiment``, no seeds or networks, ``seed`` in ``options``
            for ``"seeds"`` or ``network`` for ``"networks"``; a bad image or mask (checked
            now, not minutes later on Run), repeated seeds or more than 16, ``size`` outside
            32 … 2048; an option value out of range (``steps`` below 1, ``lr`` ≤ 0 …).
        TypeError: Seeds that are not ints, ``networks`` not a dict of ``NetSpec``,
            ``before`` not a dict of titled images; an option ``inpaint`` and ``fit`` do not
            take (closest names suggested), or one the panel sets itself (``stop``,
            ``callback``, ``callback_every``).
    """

    def __init__(
        self,
        experiment: Experiment,
        image: Any,
        mask: Any,
        *,
        seeds: Iterable[int] = (0, 1, 2, 3),
        networks: Mapping[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        size: int = 200,
        **options: Any,
    ) -> None:
        import vizkit.dip as dip  # the torch side, loaded only when a panel is made

        check_choice("experiment", experiment, ("seeds", "networks"))
        size = check_int("size", size, minimum=32, maximum=2048, fix="use e.g. size=200")
        target = dip.as_image(image, "image")  # checked now, not minutes later on Run
        known = dip.mask_from_image(mask, target.shape[:2])
        if not known.any():
            raise ValueError(
                "mask is all zeros (no known pixel): 1 = known, 0 = hole; invert it with "
                "1 - mask if you drew the holes in white"
            )
        if before is not None:
            check_instance("before", before, Mapping, "a dict title → image, or None")
            for title in before:
                check_instance("before", title, str, "a dict with str titles")
        if experiment == "seeds":
            if "seed" in options:
                raise ValueError("pass the seeds in `seeds`, not as seed=")
            if hasattr(seeds, "__len__") and len(seeds) > _MAX_VARIANTS:  # type: ignore[arg-type]
                raise ValueError(
                    f"seeds holds {len(seeds)} seeds (one fit each, minutes apiece): pass at "  # type: ignore[arg-type]
                    f"most {_MAX_VARIANTS}"
                )
            chosen = [check_seed(s, "seeds") for s in check_sequence("seeds", seeds, what="ints")]
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"seeds {chosen} repeats a seed: each fit needs its own seed")
            variants: dict[str, dict[str, Any]] = {f"z with seed {s}": {"seed": s} for s in chosen}
        else:
            if "network" in options:
                raise ValueError("pass the networks in `networks`, not as network=")
            if networks is not None:
                check_instance(
                    "networks", networks, Mapping, "a dict label → vizkit.dip.NetSpec",
                    "e.g. vk.dip.prior_networks()",
                )  # fmt: skip
                for label, spec in networks.items():
                    check_instance("networks", label, str, "a dict with str labels")
                    check_instance(
                        "networks", spec, dip.NetSpec, "a dict of vizkit.dip.NetSpec values",
                        "e.g. {'hourglass': vk.dip.hourglass()}",
                    )  # fmt: skip
            nets = dip.prior_networks() if networks is None else dict(networks)
            variants = {label: {"network": spec} for label, spec in nets.items()}
        if not variants:
            raise ValueError(f"nothing to compare: no {experiment} given")
        # names against inpaint's and fit's signatures now, not minutes later on Run
        check_task_options(
            "inpaint",
            options,
            owned=_PANEL_OWNED,
            why="Stop button, status line",
            fix="leave it out",
        )
        self._dip = dip
        self.experiment, self.size = experiment, size
        self.image, self.mask = image, mask
        self.before = dict(before or {})
        self.options = options
        self.variants = variants
        self.results: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        what = "seed" if experiment == "seeds" else "network"
        self.run_button = widgets.Button(
            description=f"Run {len(variants)} fits", icon="play", button_style="success"
        )
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.status = widgets.HTML(
            f"<i>{len(variants)} fits, one per {what}: press Run (minutes on a CPU; the "
            "kernel stays free meanwhile)</i>"
        )
        self.figure = FigureWidget(
            dip_results_figure({}, before=self.before, size=size) if self.before else None
        )
        self.run_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        on_click_now(self.stop_button, self._stop.set)
        super().__init__(
            [widgets.HBox([self.run_button, self.stop_button]), self.status, self.figure]
        )

    @property
    def running(self) -> bool:
        """Whether the fits are running now."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Run the fits in a background thread (what Run does)."""
        if self.running:
            self.status.value = "<i>already running — press Stop first</i>"
            return
        self._stop.clear()
        self.run_button.disabled, self.stop_button.disabled = True, False
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the fit in progress (its best image is kept) and skip the rest."""
        if self.running:
            self._stop.set()
            self.status.value = "<i>stopping after this step…</i>"

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        """Wait for a :meth:`start`-ed run to finish; returns :attr:`results`."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.results

    def run(self) -> dict[str, Any]:
        """Run the fits in this thread, one after another; returns label → ``FitResult``."""
        if threading.current_thread() is not self._thread:  # start() cleared it already
            self._stop.clear()
        self.results = {}
        start = time.perf_counter()
        total = len(self.variants)
        try:
            for i, (label, variant) in enumerate(self.variants.items()):
                if self._stop.is_set():
                    break
                prefix = f"fit {i + 1}/{total}: {html.escape(label)}"
                self.status.value = f"{prefix} · starting…{self._background()}"
                self.results[label] = self._dip.inpaint(
                    self.image,
                    self.mask,
                    **{"progress": False, **self.options, **variant},
                    stop=self._stop,
                    callback=lambda state, prefix=prefix: self._on_step(prefix, state),
                    callback_every=10,
                )
                self._show()
        except (TypeError, ValueError, RuntimeError) as error:
            self.status.value = f"<b style='color:#b00'>{html.escape(str(error))}</b>"
            return self.results
        finally:
            self.run_button.disabled, self.stop_button.disabled = False, True
        stopped = " (stopped: the rest skipped)" if self._stop.is_set() else ""
        self.status.value = (
            f"{len(self.results)}/{total} fits in {time.perf_counter() - start:.0f} s{stopped}"
            " · each panel shows the fit's best image"
        )
        return self.results

    def _background(self) -> str:
        if threading.current_thread() is self._thread:
            return " · <b>running in the background</b>: the kernel is free (it shows idle)"
        return ""

    def _on_step(self, prefix: str, state: Any) -> None:
        psnr = state.record.psnr
        self.status.value = (
            f"{prefix} · step {state.step + 1}/{state.steps}"
            + (f" · PSNR {psnr:.2f} dB" if psnr is not None else "")
            + self._background()
        )

    def _show(self) -> None:
        fig = dip_results_figure(self.results, before=self.before, size=self.size)
        with self.figure.batch_update():
            self.figure.data = ()
            self.figure.add_traces(fig.data)
            self.figure.layout = fig.layout
