"""Gradient flow ``ẋ = −∇f(x)``: integration, convergence to a set, and basin measure.

Integration: :func:`gradient_flow` uses ``scipy.integrate.solve_ivp`` with a stiff-capable
method (LSODA by default: Adams for non-stiff stretches, BDF once stiffness is detected —
Petzold, SIAM J. Sci. Stat. Comput. 4, 1983) and the exact Jacobian ``−Hess f``.  Flows near
degenerate critical points are both stiff and slow (``ẋ = −3x²`` decays like ``1/(3t)``), which
is what an implicit method with an exact Jacobian handles with few steps.  Terminal events stop
it when the trajectory enters the target's ρ-neighbourhood, leaves the box, or drops below the
target's level (see below).

Tolerances (:class:`FlowSettings`), all from one number: ``rtol = u^{1/2}`` (half the float64
digits, u = 2⁻⁵³), ``atol = rtol·S`` with S the scale of the sampling region, and the
convergence radius ``ρ = κ·n·atol`` (κ = 4, n the dimension) — the distance below which the
integrated trajectory no longer resolves where it is.

Convergence to a set Z (:func:`classify_flow`), three-valued:

- ``converged``: the trajectory enters ``{dist(x, Z) ≤ ρ}`` and is still there, no farther than
  when it entered, after integrating as long again;
- ``escaped``: it left the box, or — when f is constant (= f_Z) on Z — f fell below
  ``f_Z − τ`` (f is nonincreasing along a gradient flow, so it can never return to Z; τ covers
  the rounding of f and the integration error near Z, see :func:`_level_margin`);
- ``undecided``: the time horizon passed without either.

Basin measure (:func:`estimate_basin`): starts drawn uniformly from a box; the fraction that
converges, with an exact Clopper–Pearson interval (Clopper & Pearson, Biometrika 26, 1934),
conservative for undecided starts (counted as failures for the lower bound and as successes
for the upper one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import InvalidArgument
from .instance import LandscapeInstance

__all__ = [
    "BasinEstimate",
    "Box",
    "FlowInstance",
    "FlowResult",
    "FlowSettings",
    "GradientField",
    "PointTarget",
    "PolynomialField",
    "ProblemField",
    "SubspaceTarget",
    "UnionTarget",
    "classify_flow",
    "clopper_pearson",
    "estimate_basin",
    "gradient_flow",
    "target_from_dict",
]

UNIT_ROUNDOFF = 2.0**-53
KAPPA = 4.0


# -- vector fields -----------------------------------------------------------------------------------

class GradientField:
    """f with ``value(x)``, ``gradient(x)`` and ``hessian(x)`` in float64; ``n`` its dimension."""

    n: int

    def value(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hessian(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class PolynomialField(GradientField):
    """An explicit :class:`~critlocus.core.functions.Polynomial` (exact derivatives, float64)."""

    def __init__(self, polynomial):
        self.polynomial = polynomial
        self.n = polynomial.n_vars

    def value(self, x):
        return self.polynomial.value_f64(np.asarray(x, dtype=float))

    def gradient(self, x):
        return self.polynomial.gradient_f64(np.asarray(x, dtype=float))

    def hessian(self, x):
        return self.polynomial.hessian_f64(np.asarray(x, dtype=float))


class ProblemField(GradientField):
    """A network loss :class:`~critlocus.core.network.Problem` through torch (autograd gradient,
    ``torch.func.hessian`` Jacobian) in float64."""

    def __init__(self, problem):
        import torch
        from torch.func import hessian

        self.problem = problem
        self.n = problem.n_params
        self._torch = torch
        X = torch.tensor(problem.data.X)
        Y = torch.tensor(problem.data.Y)
        net, loss = problem.network, problem.loss

        def L(theta):
            return loss.torch_value(net.forward_torch(theta, X) - Y)

        self._L = L
        self._H = hessian(L)

    def value(self, x):
        with self._torch.no_grad():
            return float(self._L(self._torch.as_tensor(np.asarray(x, dtype=float))))

    def gradient(self, x):
        t = self._torch.tensor(np.asarray(x, dtype=float), requires_grad=True)
        (g,) = self._torch.autograd.grad(self._L(t), t)
        return g.numpy()

    def hessian(self, x):
        H = self._H(self._torch.as_tensor(np.asarray(x, dtype=float))).numpy()
        return 0.5 * (H + H.T)


# -- target sets -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointTarget:
    """Z = {z}."""

    point: tuple[float, ...]
    level: float | None = None  # f on Z, when known (escape certificate)
    name: str = "point"

    def distance(self, x: np.ndarray) -> float:
        return float(np.linalg.norm(np.asarray(x) - np.asarray(self.point)))

    def describe(self) -> str:
        return f"{self.name} {tuple(self.point)}"

    def to_dict(self) -> dict:
        return {"type": "point", "point": list(self.point), "level": self.level, "name": self.name}


@dataclass(frozen=True)
class SubspaceTarget:
    """The affine coordinate subspace ``Z = {x : x_i = c_i for i in fixed}``."""

    fixed: tuple[tuple[int, float], ...]
    level: float | None = None
    name: str = "subspace"

    def distance(self, x: np.ndarray) -> float:
        x = np.asarray(x)
        if not self.fixed:
            return 0.0
        idx = np.array([i for i, _ in self.fixed])
        val = np.array([c for _, c in self.fixed])
        return float(np.linalg.norm(x[idx] - val))

    def project(self, x: np.ndarray) -> np.ndarray:
        y = np.array(x, dtype=float)
        for i, c in self.fixed:
            y[i] = c
        return y

    def describe(self) -> str:
        return f"{self.name} ({len(self.fixed)} coordinates fixed)"

    def to_dict(self) -> dict:
        return {"type": "subspace", "fixed": [[i, c] for i, c in self.fixed], "level": self.level,
                "name": self.name}


@dataclass(frozen=True)
class UnionTarget:
    """``Z = ∪_k Z_k``; its level is the common level of the parts (if they agree)."""

    parts: tuple
    name: str = "union"

    @property
    def level(self) -> float | None:
        levels = {p.level for p in self.parts}
        return levels.pop() if len(levels) == 1 else None

    def distance(self, x: np.ndarray) -> float:
        return min(p.distance(x) for p in self.parts)

    def nearest(self, x: np.ndarray):
        return min(self.parts, key=lambda p: p.distance(x))

    def describe(self) -> str:
        return f"{self.name} of {len(self.parts)} sets"

    def to_dict(self) -> dict:
        return {"type": "union", "parts": [p.to_dict() for p in self.parts], "name": self.name}


def target_from_dict(data: dict):
    """Rebuild a :class:`PointTarget`, :class:`SubspaceTarget` or :class:`UnionTarget` record."""
    kind = data.get("type")
    if kind == "point":
        return PointTarget(tuple(data["point"]), data.get("level"), data.get("name", "point"))
    if kind == "subspace":
        return SubspaceTarget(tuple((int(i), float(c)) for i, c in data["fixed"]), data.get("level"),
                              data.get("name", "subspace"))
    if kind == "union":
        return UnionTarget(tuple(target_from_dict(p) for p in data["parts"]), data.get("name", "union"))
    raise InvalidArgument(f"unknown target record {data!r}")


# -- integration ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """The axis-parallel box ``Π_i [low_i, high_i]`` (sampling region; ``escape_factor`` times its
    half-width around its center is the region a trajectory may not leave)."""

    low: tuple[float, ...]
    high: tuple[float, ...]
    escape_factor: float = 4.0

    def __post_init__(self) -> None:
        lo, hi = np.asarray(self.low, float), np.asarray(self.high, float)
        if lo.shape != hi.shape or lo.ndim != 1 or np.any(hi < lo):
            raise InvalidArgument(f"Box needs low ≤ high of one dimension, got {self.low}, {self.high}")

    @property
    def center(self) -> np.ndarray:
        return (np.asarray(self.low) + np.asarray(self.high)) / 2

    @property
    def scale(self) -> float:
        """S: the largest half-width (at least the center's size, so S > 0 for degenerate boxes)."""
        half = (np.asarray(self.high) - np.asarray(self.low)) / 2
        return float(max(np.max(half), np.max(np.abs(self.center)), 1e-300))

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=(count, len(self.low)))

    def escape_distance(self, x: np.ndarray) -> float:
        """Positive inside the escape region, negative outside (max-norm around the center)."""
        return self.escape_factor * self.scale - float(np.max(np.abs(np.asarray(x) - self.center)))


@dataclass(frozen=True)
class FlowSettings:
    """Tolerances from one number (module docstring): ``rtol = u^{1/2}``, ``atol = rtol·S``,
    ``ρ = κ·n·atol``; ``t_max`` the horizon; ``method`` a stiff-capable solve_ivp method."""

    scale: float = 1.0
    t_max: float = 1e6
    method: str = "LSODA"
    rtol: float = UNIT_ROUNDOFF**0.5

    def __post_init__(self) -> None:
        if self.method not in ("LSODA", "BDF", "Radau"):
            raise InvalidArgument(f"method={self.method!r}: use a stiff-capable method (LSODA, BDF, Radau)")
        if not (self.scale > 0 and self.t_max > 0 and 0 < self.rtol < 1):
            raise InvalidArgument(f"FlowSettings needs scale > 0, t_max > 0, 0 < rtol < 1, got {self}")

    @property
    def atol(self) -> float:
        return self.rtol * self.scale

    def radius(self, n: int) -> float:
        return KAPPA * n * self.atol


@dataclass
class FlowResult:
    """One integrated trajectory and its classification (:func:`classify_flow`)."""

    x0: np.ndarray
    x: np.ndarray
    t: float
    status: str  # converged | escaped | undecided | failed
    reason: str
    value0: float
    value: float
    distance: float | None
    radius: float
    gradient_norm: float
    nfev: int
    njev: int
    times: list[float] = field(default_factory=list)
    distances: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"x0": self.x0.tolist(), "x": self.x.tolist(), "t": self.t, "status": self.status,
                "reason": self.reason, "f0": self.value0, "f": self.value, "distance": self.distance,
                "radius": self.radius, "gradient_norm": self.gradient_norm, "nfev": self.nfev,
                "njev": self.njev}


def gradient_flow(field: GradientField, x0: Sequence[float], *, settings: FlowSettings,
                  target=None, box: Box | None = None, t_max: float | None = None,
                  record: int = 0) -> tuple[np.ndarray, float, str, object]:
    """Integrate ``ẋ = −∇f(x)`` from ``x0`` until ``t_max`` or a terminal event (entering the
    target's ρ-ball, leaving the box's escape region, falling below the target's level).

    Returns ``(x_end, t_end, event, solution)`` with event one of ``"target"``, ``"box"``,
    ``"below-level"``, ``"horizon"``, ``"failed"``.  ``record`` > 0 keeps that many dense points
    (log-spaced in time) on ``solution.t_rec / solution.y_rec``.
    """
    x0 = np.asarray(x0, dtype=float)
    horizon = settings.t_max if t_max is None else t_max
    rho = settings.radius(field.n)
    events, names = [], []
    if target is not None:
        def hit(t, x):
            return target.distance(x) - rho
        hit.terminal, hit.direction = True, -1
        events.append(hit)
        names.append("target")
    if box is not None:
        def out(t, x):
            return box.escape_distance(x)
        out.terminal, out.direction = True, -1
        events.append(out)
        names.append("box")
    level = getattr(target, "level", None) if target is not None else None
    if level is not None:
        f_tau = _level_margin(field, x0, settings)

        def below(t, x):
            return field.value(x) - (level - f_tau)
        below.terminal, below.direction = True, -1
        events.append(below)
        names.append("below-level")

    def rhs(t, x):
        return -field.gradient(x)

    def jac(t, x):
        return -field.hessian(x)

    t_eval = None
    if record:
        t_eval = np.unique(np.concatenate([[0.0], np.geomspace(1e-6 * horizon, horizon, record)]))
    from scipy.integrate import solve_ivp  # scipy loads on first use (≈0.4 s), not on import

    sol = solve_ivp(rhs, (0.0, horizon), x0, method=settings.method, jac=jac, rtol=settings.rtol,
                    atol=settings.atol, events=events or None, t_eval=t_eval)
    if sol.status == -1:
        return sol.y[:, -1], float(sol.t[-1]), "failed", sol
    fired = [name for name, te in zip(names, sol.t_events or []) if len(te)]
    event = fired[0] if fired else "horizon"
    x_end = sol.y_events[names.index(event)][0] if fired else sol.y[:, -1]
    t_end = float(sol.t_events[names.index(event)][0]) if fired else float(sol.t[-1])
    return np.asarray(x_end), t_end, event, sol


def _level_margin(field: GradientField, x0: np.ndarray, settings: FlowSettings) -> float:
    """The margin τ for "f fell below the target's level": ``κ·n·(u·|f(x0)| + atol²)``.

    f at a computed point is accurate to the rounding of its value (``u·|f|``); a trajectory that
    truly converges to Z approaches it where ∇f → 0, so a position error δ ≲ atol changes f there
    by O(δ²) only.  Falling below ``level − τ`` therefore is not an artefact of the integration
    near Z (the tighter tier re-checks refutations)."""
    return KAPPA * field.n * (UNIT_ROUNDOFF * abs(field.value(x0)) + settings.atol**2)


def classify_flow(field: GradientField, x0: Sequence[float], target, *, settings: FlowSettings,
                  box: Box | None = None) -> FlowResult:
    """Integrate from ``x0`` and decide whether the flow converges to ``target`` (module docstring).

    After the trajectory enters the ρ-ball of the target at time t₁ it is integrated as long again
    (to 2t₁, or at least to t₁ + 1): ``converged`` requires the distance at the end to be ≤ ρ and
    not larger than at entry (a trajectory merely passing by is not counted)."""
    x0 = np.asarray(x0, dtype=float)
    rho = settings.radius(field.n)
    f0 = field.value(x0)
    level = getattr(target, "level", None)
    if level is not None and f0 < level - _level_margin(field, x0, settings):
        return FlowResult(x0, x0, 0.0, "escaped", f"f(x0) = {f0:.6g} is already below the target's level "
                          f"{level:.6g}: the nonincreasing f can never return to it", f0, f0,
                          target.distance(x0), rho, float(np.linalg.norm(field.gradient(x0))), 1, 0)
    x, t, event, sol = gradient_flow(field, x0, settings=settings, target=target, box=box)
    nfev, njev = int(sol.nfev), int(sol.njev)
    if event == "target":
        d1 = target.distance(x)
        x2, t2, event2, sol2 = gradient_flow(field, x, settings=settings, target=None, box=box,
                                             t_max=max(t, 1.0))
        nfev, njev = nfev + int(sol2.nfev), njev + int(sol2.njev)
        d2 = target.distance(x2)
        if event2 == "horizon" and d2 <= max(d1, rho):
            status, reason = "converged", f"entered dist ≤ ρ at t = {t:.3g} and stayed (dist {d2:.2e})"
            x, t = x2, t + t2
        else:
            status, reason = "undecided", f"entered the ρ-ball at t = {t:.3g} but left it again ({event2})"
            x, t = x2, t + t2
    elif event == "box":
        status, reason = "escaped", f"left the escape region at t = {t:.3g}"
    elif event == "below-level":
        status, reason = "escaped", (f"f fell below the target's level {target.level:.6g} at t = {t:.3g}: "
                                     "f is nonincreasing along the flow, so it can never converge to the "
                                     "target")
    elif event == "failed":
        status, reason = "failed", f"the integrator failed: {sol.message}"
    else:
        status, reason = "undecided", f"horizon t = {t:.3g} reached at distance {target.distance(x):.2e} > ρ"
    return FlowResult(x0, np.asarray(x), t, status, reason, f0, field.value(x), target.distance(x), rho,
                      float(np.linalg.norm(field.gradient(x))), nfev, njev)


# -- basin measure -------------------------------------------------------------------------------------

def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) two-sided interval for a binomial proportion, k successes in n."""
    if not (0 <= k <= n and n >= 1):
        raise InvalidArgument(f"clopper_pearson needs 0 ≤ k ≤ n, n ≥ 1; got k={k}, n={n}")
    if not 0 < confidence < 1:
        raise InvalidArgument(f"confidence={confidence!r} must lie in (0, 1)")
    from scipy.stats import beta

    a = 1 - confidence
    lo = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


@dataclass
class BasinEstimate:
    """``k`` of ``n`` sampled starts converged (``escaped`` and ``undecided`` the others)."""

    n: int
    converged: int
    escaped: int
    undecided: int
    failed: int
    confidence: float
    results: list[FlowResult]

    @property
    def fraction(self) -> float:
        return self.converged / self.n

    @property
    def interval(self) -> tuple[float, float]:
        """Conservative: undecided and failed starts count against the lower bound and for the upper."""
        lo, _ = clopper_pearson(self.converged, self.n, self.confidence)
        _, hi = clopper_pearson(self.converged + self.undecided + self.failed, self.n, self.confidence)
        return lo, hi

    def to_dict(self) -> dict:
        lo, hi = self.interval
        return {"n": self.n, "converged": self.converged, "escaped": self.escaped,
                "undecided": self.undecided,
                "failed": self.failed, "fraction": self.fraction, "confidence": self.confidence,
                "interval": [lo, hi], "method": "Clopper–Pearson (exact), conservative for undecided starts"}


def estimate_basin(field: GradientField, box: Box, target, *, n: int, settings: FlowSettings,
                   seed: int = 0, confidence: float = 0.95,
                   sampler: Callable[[np.random.Generator, int], np.ndarray] | None = None,
                   reuse: BasinEstimate | None = None, recheck: frozenset = frozenset()) -> BasinEstimate:
    """Sample ``n`` starts (uniform in ``box``, or ``sampler(rng, n)``) and classify each flow.

    With ``reuse`` (an estimate of the same starts, e.g. at a looser tolerance) only the starts whose
    status is in ``recheck`` are integrated again; the others keep their results."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidArgument(f"n={n!r} must be a positive integer")
    rng = np.random.default_rng(seed)
    starts = sampler(rng, n) if sampler is not None else box.sample(rng, n)
    results = []
    for i, x0 in enumerate(starts):
        old = reuse.results[i] if reuse is not None and i < len(reuse.results) else None
        if old is not None and old.status not in recheck:
            results.append(old)
        else:
            results.append(classify_flow(field, x0, target, settings=settings, box=box))
    return _tally(results, confidence)


def _tally(results: list[FlowResult], confidence: float) -> BasinEstimate:
    count = {s: sum(1 for r in results if r.status == s)
             for s in ("converged", "escaped", "undecided", "failed")}
    return BasinEstimate(len(results), count["converged"], count["escaped"], count["undecided"],
                         count["failed"], confidence, results)


# -- an instance: a landscape, a region of starts and a target set -----------------------------------

@dataclass(frozen=True, eq=False)
class FlowInstance(LandscapeInstance):
    """Gradient flow on ``field`` from starts in ``box`` toward ``target`` (``n_starts`` of them,
    drawn with ``seed``).  ``landscape_record`` keeps extra facts about how it was built (e.g. the
    core point the starts surround), shown in reports."""

    field: GradientField
    box: Box
    target: object
    n_starts: int
    settings: FlowSettings
    label: str = "flow"
    info: dict = field(default_factory=dict)
    seed: int = 0
    landscape_record: dict = field(default_factory=dict)

    def evaluation(self):
        raise InvalidArgument(f"{self.label}: a flow instance has no single point to evaluate")

    @property
    def n_params(self) -> int:
        return self.field.n

    @property
    def landscape(self) -> str:
        if isinstance(self.field, PolynomialField):
            return f"f = {self.field.polynomial}"
        if isinstance(self.field, ProblemField):
            p = self.field.problem
            return f"{p.architecture} {p.network.activation.name}"
        return type(self.field).__name__

    def basin(self) -> BasinEstimate:
        """The basin estimate (computed once, cached)."""
        cached = self.__dict__.get("_basin")
        if cached is None:
            cached = estimate_basin(self.field, self.box, self.target, n=self.n_starts,
                                    settings=self.settings, seed=self.seed)
            object.__setattr__(self, "_basin", cached)
        return cached

    def to_dict(self) -> dict:
        """The landscape (polynomial, or network problem), box, target, settings and seed: enough
        to rebuild the instance (:meth:`from_dict`) and replay its flows."""
        if isinstance(self.field, PolynomialField):
            land = {"function": self.field.polynomial.to_dict()}
        elif isinstance(self.field, ProblemField):
            land = {"problem": self.field.problem.to_dict()}
        else:
            land = {}
        return {"label": self.label, "landscape": self.landscape, **land,
                "box": {"low": list(self.box.low), "high": list(self.box.high),
                        "escape_factor": self.box.escape_factor},
                "target": self.target.to_dict(), "n_starts": self.n_starts, "seed": self.seed,
                "settings": {"scale": self.settings.scale, "t_max": self.settings.t_max,
                             "method": self.settings.method, "rtol": self.settings.rtol,
                             "atol": self.settings.atol, "radius": self.settings.radius(self.field.n)},
                "record": self.landscape_record,
                "info": {k: v for k, v in self.info.items() if isinstance(v, (str, int, float, bool, list))}}

    @classmethod
    def from_dict(cls, data: dict) -> FlowInstance:
        try:
            if "function" in data:
                from .functions import Polynomial

                field_ = PolynomialField(Polynomial.from_dict(data["function"]))
            else:
                field_ = ProblemField(_problem_from_dict(data["problem"]))
            s = data["settings"]
            settings = FlowSettings(scale=s["scale"], t_max=s["t_max"], method=s["method"], rtol=s["rtol"])
            b = data["box"]
            box = Box(tuple(b["low"]), tuple(b["high"]), b.get("escape_factor", 4.0))
            return cls(field_, box, target_from_dict(data["target"]), int(data["n_starts"]), settings,
                       label=data.get("label", "flow"), info=dict(data.get("info", {})),
                       seed=int(data["seed"]), landscape_record=dict(data.get("record", {})))
        except (KeyError, TypeError) as exc:
            raise InvalidArgument(f"not a flow-instance record: missing or bad {exc}") from None

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        return f"FlowInstance({self.label}; {self.landscape}; {self.n_starts} starts; seed {self.seed})"



def _problem_from_dict(data: dict):
    """A network :class:`~critlocus.core.network.Problem` from its ``to_dict`` record."""
    from .architecture import Architecture
    from .data import Dataset
    from .losses import get_loss
    from .network import Network, Problem

    arch = Architecture(tuple(data["architecture"]["widths"]), bias=tuple(data["architecture"]["bias"]))
    loss = data["loss"]
    params = {k: v for k, v in loss.items() if k not in ("name", "formula")}
    return Problem(Network(arch, data["activation"]["name"]), get_loss(loss["name"], **params),
                   Dataset.from_dict(data["data"]))
