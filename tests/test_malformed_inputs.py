"""The clear-error contract, checked on generated malformed input.

Every public entry point — spec constructor, strategies, CLI, conjecture loader, core
evaluators (Architecture, Dataset, Problem, Network, losses, activations, PointRecipe,
evaluation) — refuses bad input with the documented error type (``core/errors.py``:
:class:`CritlocusError` and its refinements :class:`InvalidArgument`, :class:`SpecError`)
and a message that names the bad value.  Each test below generates its malformed inputs with
Hypothesis (``CASES`` examples each).
"""

import itertools
import json
import math
import os
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.cli import main
from critlocus.core import (
    Architecture,
    Dataset,
    Given,
    Instance,
    Network,
    PointRecipe,
    Problem,
    Zero,
    get_activation,
    get_loss,
    parse_ladder,
    pseudo_huber,
    weighted_squared_error,
)
from critlocus.core.activations import PROPERTIES, activation_names
from critlocus.core.errors import CritlocusError, InvalidArgument, SpecError
from critlocus.core.losses import loss_names
from critlocus.output import new_run_dir, point_latest
from critlocus.registry import load_spec_file

# 20 tests × 16 cases = 320 generated cases in CI; MALFORMED_CASES=300 searches deeper.
CASES = settings(max_examples=int(os.environ.get("MALFORMED_CASES", "16")), deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def assert_clear_error(fn, *args, error=CritlocusError, names=(), **kwargs) -> str:
    """Call ``fn``; it must raise ``error`` whose one-paragraph message names each of ``names``."""
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert message.strip(), "empty error message"
    for name in names:
        assert name in message, f"{name!r} not named in: {message}"
    return message


# Values of the wrong type or out of range for a positive-integer argument.
NOT_POSITIVE_INT = st.one_of(st.integers(-5, 0), st.booleans(), st.floats(allow_nan=True),
                             st.text(string.ascii_letters, min_size=1, max_size=3), st.none(),
                             st.just([2]))
NOT_A_NAME = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)


# --- core evaluators ------------------------------------------------------------------------


@CASES
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.data())
def test_architecture_names_the_bad_width(widths, data):
    bad = data.draw(NOT_POSITIVE_INT)
    widths.insert(data.draw(st.integers(0, len(widths))), bad)
    assert_clear_error(Architecture, tuple(widths), error=InvalidArgument, names=("widths", repr(bad)))


@CASES
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.data())
def test_architecture_names_a_bad_bias(widths, data):
    depth = len(widths) - 1
    bias = data.draw(st.one_of(
        st.lists(st.booleans(), min_size=0, max_size=6).filter(lambda b: len(b) != depth),
        st.lists(st.one_of(st.integers(0, 1), st.text(max_size=1)), min_size=depth, max_size=depth)))
    assert_clear_error(Architecture, tuple(widths), tuple(bias), error=InvalidArgument, names=("bias",))


@CASES
@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.data())
def test_dataset_names_a_nonfinite_entry(d, n_in, n_out, data):
    X, Y = np.zeros((d, n_in)), np.zeros((d, n_out))
    target = data.draw(st.sampled_from(["X", "Y"]))
    arr = X if target == "X" else Y
    i, j = data.draw(st.integers(0, d - 1)), data.draw(st.integers(0, arr.shape[1] - 1))
    arr[i, j] = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    assert_clear_error(Dataset, X, Y, error=InvalidArgument, names=(f"{target}[{i}, {j}]", "finite"))


@CASES
@given(st.data())
def test_dataset_rejects_empty_ragged_or_mismatched_data(data):
    kind = data.draw(st.sampled_from(["empty", "1-d", "rows", "text"]))
    if kind == "empty":
        X, Y, name = np.zeros((0, 2)), np.zeros((0, 1)), "at least one point"
    elif kind == "1-d":
        X, Y, name = data.draw(st.lists(st.floats(-1, 1), min_size=1, max_size=4)), [[0.0]], "2-d"
    elif kind == "rows":
        d = data.draw(st.integers(1, 4))
        X, Y, name = np.zeros((d, 2)), np.zeros((d + data.draw(st.integers(1, 3)), 1)), "rows"
    else:
        X, Y, name = [[data.draw(st.text(string.ascii_letters, min_size=1, max_size=3))]], [[0.0]], "real"
    assert_clear_error(Dataset, X, Y, error=InvalidArgument, names=(name,))


@CASES
@given(st.lists(st.lists(st.integers(-2, 2), min_size=2, max_size=2), min_size=1, max_size=4,
                unique_by=tuple), st.data())
def test_duplicate_inputs_are_named_where_distinct_inputs_are_required(rows, data):
    j = data.draw(st.integers(0, len(rows) - 1))
    X = np.array([*rows, rows[j]], dtype=float)  # row j repeated at the end
    dataset = Dataset(X, np.zeros((len(X), 1)))
    assert_clear_error(dataset.require_distinct_inputs, error=InvalidArgument,
                       names=("distinct", f"x_{len(rows)}"))


@CASES
@given(NOT_A_NAME, st.sampled_from(["activation", "loss", "network"]))
def test_unknown_activation_or_loss_lists_the_known_ones(name, where):
    assume(name not in activation_names() and name not in loss_names())
    arch = Architecture((2, 3, 1))
    if where == "activation":
        assert_clear_error(get_activation, name, error=InvalidArgument, names=(repr(name), "tanh"))
    elif where == "loss":
        assert_clear_error(get_loss, name, error=InvalidArgument, names=(repr(name), "squared_error"))
    else:
        assert_clear_error(Network, arch, name, error=InvalidArgument, names=(repr(name), "registered"))


@CASES
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))
def test_problem_names_shapes_that_do_not_match_the_architecture(n_in, n_out, d_in, d_out, d):
    assume((n_in, n_out) != (d_in, d_out))
    network = Network(Architecture((n_in, 2, n_out)), "tanh")
    data = Dataset(np.zeros((d, d_in)), np.zeros((d, d_out)))
    bad = (str(d_in), str(n_in)) if d_in != n_in else (str(d_out), str(n_out))
    assert_clear_error(Problem, network, "squared_error", data, error=InvalidArgument, names=bad)


@CASES
@given(st.data())
def test_point_recipes_name_missing_extra_and_nonfinite_blocks(data):
    arch = Architecture((1, 2, 1))
    rules = {name: Zero() for name in arch.layout.names}
    kind = data.draw(st.sampled_from(["missing", "extra", "nan", "not a rule", "shape"]))
    if kind == "missing":
        name = data.draw(st.sampled_from(arch.layout.names))
        del rules[name]
        assert_clear_error(PointRecipe, arch, rules, error=InvalidArgument, names=(name,))
    elif kind == "extra":
        name = data.draw(NOT_A_NAME)
        assume(name not in rules)
        rules[name] = Zero()
        assert_clear_error(PointRecipe, arch, rules, error=InvalidArgument, names=(name,))
    elif kind == "nan":
        values = data.draw(st.lists(st.floats(-1, 1), min_size=1, max_size=3))
        values[data.draw(st.integers(0, len(values) - 1))] = data.draw(st.sampled_from([math.nan, math.inf]))
        assert_clear_error(Given, values, error=InvalidArgument, names=("finite",))
    elif kind == "not a rule":
        rules["W_1"] = data.draw(st.one_of(st.floats(), st.none(), st.text(max_size=2)))
        assert_clear_error(PointRecipe, arch, rules, error=InvalidArgument, names=("W_1", "BlockRule"))
    else:
        rules["W_1"] = Given(np.zeros(data.draw(st.integers(3, 5))))
        point = PointRecipe(arch, rules)
        data_set = Dataset(np.zeros((1, 1)), np.zeros((1, 1)))
        assert_clear_error(point.realize_float64, data_set, error=InvalidArgument, names=("shape",))


@CASES
@given(st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats()),
       st.sampled_from(["problem", "point", "label"]))
def test_instance_names_wrong_types(bad, field):
    arch = Architecture((1, 2, 1))
    problem = Problem(Network(arch, "tanh"), "squared_error", Dataset([[0.5]], [[1.0]]))
    args = {"problem": problem, "point": PointRecipe(arch, {n: Zero() for n in arch.layout.names}),
            "label": "p"}
    assume(not (field == "label" and isinstance(bad, str)))
    args[field] = bad
    assert_clear_error(Instance, **args, error=InvalidArgument, names=(field,))


@CASES
@given(st.one_of(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3)
                 .filter(lambda w: not w or not all(math.isfinite(x) and x > 0 for x in w)),
                 st.text(max_size=3), st.none()),
       st.one_of(st.floats().filter(lambda x: not (math.isfinite(x) and x > 0)), st.booleans(), st.none()))
def test_losses_name_bad_weights_and_parameters(weights, delta):
    assert_clear_error(weighted_squared_error, weights, error=InvalidArgument, names=("weights",))
    assert_clear_error(pseudo_huber, delta, error=InvalidArgument, names=("delta", repr(delta)))


@CASES
@given(st.one_of(
    st.lists(st.integers(20, 80), min_size=2, max_size=4)
    .filter(lambda d: any(b <= a for a, b in itertools.pairwise(d))),
    st.lists(st.integers(0, 19), min_size=1, max_size=3),
    st.lists(st.sampled_from(["abc", "3.5", "x1"]), min_size=1, max_size=2),
    st.just([])))
def test_precision_ladders_are_validated(digits):
    text = ",".join(map(str, digits))
    message = assert_clear_error(parse_ladder, text, error=InvalidArgument)
    assert "ladder" in message or "digits" in message


# --- strategies -----------------------------------------------------------------------------

STRATEGY_ARGUMENTS = [
    (strategies.architectures, {}, ["min_depth", "max_depth", "min_width", "max_width", "min_inputs",
                                    "max_inputs", "min_outputs", "max_outputs"]),
    (strategies.datasets, {"n_in": 1, "n_out": 1}, ["n_in", "n_out", "min_size", "max_size"]),
    (strategies.star_locus_instances, {}, ["min_depth", "max_depth", "max_width", "max_inputs", "min_outputs",
                                           "max_outputs", "min_data", "max_data", "min_index_set_size",
                                           "min_index"]),
    (strategies.core_locus_instances, {}, ["min_index_set_size", "max_data", "max_width"]),
]


@CASES
@given(st.sampled_from([(f, base, a) for f, base, args in STRATEGY_ARGUMENTS for a in args]),
       NOT_POSITIVE_INT)
def test_strategies_name_bad_arguments_up_front(case, bad):
    fn, base, arg = case
    if arg == "min_index_set_size" and fn is strategies.core_locus_instances:
        assume(not (isinstance(bad, int) and not isinstance(bad, bool) and bad >= 2))
    assert_clear_error(fn, **{**base, arg: bad}, error=InvalidArgument, names=(arg,))


@CASES
@given(st.data())
def test_activation_strategy_names_unknown_or_lacking_properties(data):
    kind = data.draw(st.sampled_from(["unknown", "not bool", "lacking", "none has them"]))
    if kind == "unknown":
        key = data.draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))
        assume(key not in PROPERTIES)
        assert_clear_error(strategies.activations, **{key: True}, error=InvalidArgument, names=(key, "known"))
    elif kind == "not bool":
        key = data.draw(st.sampled_from(PROPERTIES))
        value = data.draw(st.one_of(st.integers(), st.text(max_size=2), st.none()))
        assert_clear_error(strategies.activations, **{key: value}, error=InvalidArgument,
                           names=(key, repr(value)))
    elif kind == "lacking":
        prop = data.draw(st.sampled_from(PROPERTIES))
        act = data.draw(st.sampled_from([get_activation(n) for n in activation_names()]))
        assert_clear_error(strategies.activations, act.name, **{prop: not getattr(act, prop)},
                    error=InvalidArgument, names=(repr(act.name), prop, "requires"))
    else:
        assert_clear_error(strategies.activations, analytic=True, smooth=False, error=InvalidArgument,
                    names=("no registered activation",))


@CASES
@given(st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
def test_unsatisfiable_distinct_inputs_are_refused_before_searching(n_in, bits, bound):
    grid = (2 * bound * 2**bits + 1) ** n_in
    assume(grid < 200)
    message = assert_clear_error(strategies.datasets, n_in=n_in, n_out=1, min_size=grid + 1,
                                 max_size=grid + 5, bits=bits, bound=float(bound), error=InvalidArgument,
                                 names=("no data set satisfies", f"min_size={grid + 1}"))
    assert "Health" not in message


# --- the spec constructor and claims ----------------------------------------------------------

GOOD_SPEC = {"id": "malformed.base", "source": Source("test"), "statement": "a statement",
             "instances": strategies.star_locus_instances(max_depth=3, max_width=2),
             "claim": claims.is_critical()}
BAD_FIELDS = {
    "id": st.one_of(st.just(""), st.text("!@# /", min_size=1, max_size=3), st.integers(), st.none()),
    "source": st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=2), max_size=2)),
    "statement": st.one_of(st.just("  "), st.integers(), st.none()),
    "instances": st.one_of(st.integers(), st.lists(st.integers(), max_size=2), st.just(st.nothing())),
    "claim": st.one_of(st.text(max_size=3), st.none(), st.just(lambda inst: True)),
    "expected": st.text(max_size=6).filter(lambda t: t not in ("holds", "fails")),
    "kind": st.text(max_size=6).filter(lambda t: t not in ("theorem", "lemma", "example")),
    "hypotheses": st.one_of(st.integers(), st.lists(st.integers(), min_size=1, max_size=2)),
    "examples_scale": st.one_of(st.floats().filter(lambda x: not 0 < x <= 10), st.text(max_size=2)),
    "examples": st.one_of(st.integers(), st.lists(st.integers(), min_size=1, max_size=2)),
    "target": st.one_of(st.integers(), st.text(min_size=1, max_size=2)),
    "formula": st.one_of(st.integers(), st.lists(st.text(max_size=1), max_size=2)),
}


@CASES
@given(st.sampled_from(sorted(BAD_FIELDS)), st.data())
def test_spec_constructor_names_the_bad_field(field, data):
    bad = data.draw(BAD_FIELDS[field])
    message = assert_clear_error(Spec, **{**GOOD_SPEC, field: bad}, error=SpecError)
    assert field.replace("_", " ") in message.replace("_", " ") or field == "id" or \
        (field == "instances" and "no instance can satisfy" in message), message


@CASES
@given(st.sampled_from(["positive", "negative", "zero"]),
       st.one_of(st.integers(max_value=-1), st.text(max_size=2), st.floats(), st.booleans()),
       st.sampled_from(["inertia", "at_least", "at_most", "eigenvalue"]))
def test_claims_name_bad_counts_and_values(which, bad, builder):
    if builder == "inertia":
        assume(not (isinstance(bad, int) and not isinstance(bad, bool) and bad >= 0))
        if isinstance(bad, int) and not isinstance(bad, bool):
            claim = claims.hessian_inertia(**{which: bad})  # a negative count fails on use
            assert claim is not None
            return
        assert_clear_error(claims.hessian_inertia, **{which: bad}, error=SpecError, names=(which,))
    elif builder in ("at_least", "at_most"):
        assert_clear_error(getattr(claims, builder), bad, error=SpecError, names=(builder, repr(bad)))
    else:
        assume(not (isinstance(bad, (int, float)) and not isinstance(bad, bool) and math.isfinite(bad)))
        assert_clear_error(claims.positive_eigenvalues_equal, bad, error=SpecError, names=(repr(bad),))


# --- the conjecture loader and the CLI ---------------------------------------------------------

BROKEN_FILES = {
    "syntax": ("def broken(:\n    pass\n", "SyntaxError"),
    "raises": ("raise RuntimeError({msg!r})\n", "RuntimeError"),
    "no specs": ("X = {msg!r}\n", "no Spec objects found"),
    "bad spec": ("from critlocus import Spec, Source, claims, strategies\n"
                 "S = Spec(id='a.b', source=Source('p'), statement='s', claim=claims.is_critical(),\n"
                 "         instances=strategies.star_locus_instances(max_depth=3), expected={msg!r})\n",
                 "expected must be one of"),
    "duplicate ids": ("from critlocus import Spec, Source, claims, strategies\n"
                      "I = strategies.star_locus_instances(max_depth=3)\n"
                      "A = Spec(id='dup.id', source=Source('p'), statement='s', instances=I, "
                      "claim=claims.is_critical())\n"
                      "B = Spec(id='dup.id', source=Source('p'), statement='t', instances=I, "
                      "claim=claims.is_critical())\n", "duplicate spec ids"),
    "import": ("import critlocus_no_such_module_{msg}\n", "ModuleNotFoundError"),
}


@CASES
@given(st.sampled_from(sorted(BROKEN_FILES)), st.text(string.ascii_lowercase, min_size=1, max_size=6))
def test_conjecture_loader_names_the_file_and_the_problem(tmp_path_factory, kind, msg):
    folder = tmp_path_factory.mktemp("specs")
    f = folder / f"conj_{kind.replace(' ', '_')}.py"
    template, expected = BROKEN_FILES[kind]
    f.write_text(template.format(msg=msg))
    assert_clear_error(load_spec_file, f, error=SpecError, names=(str(f), expected))


@CASES
@given(st.sampled_from(["missing", "not .py", "directory"]), NOT_A_NAME)
def test_check_on_missing_or_broken_files_never_overwrites_latest(tmp_path_factory, kind, name):
    folder = tmp_path_factory.mktemp("check")
    reports = folder / "reports"
    _, previous = new_run_dir(reports, "verify")
    point_latest(reports, previous)
    target = folder / (f"{name}.txt" if kind == "not .py" else f"{name}.py")
    if kind == "not .py":
        target.write_text("x = 1\n")
    elif kind == "directory":
        target.mkdir()
    out = folder / "out.json"
    assert main(["check", str(target), "--quiet", "--reports-dir", str(reports), "--json", str(out)]) == 3
    assert (reports / "latest").resolve() == previous.resolve()
    doc = json.loads(out.read_text())
    assert doc["results"] == [] and [e["location"] for e in doc["load_errors"]] == [str(target)]


CLI_BAD_OPTIONS = st.one_of(
    st.tuples(st.just("--examples"), st.sampled_from(["0", "-3", "many", "1.5"])),
    st.tuples(st.just("--jobs"), st.sampled_from(["0", "-1", "two", "1.5"])),
    st.tuples(st.just("--seed"), st.sampled_from(["x", "1.5", ""])),
    st.tuples(st.just("--ladder"), st.sampled_from(["60,30", "10", "a,b", ",", "30,30"])),
    st.tuples(st.just("--timeout"), st.sampled_from(["0", "-5", "soon", "inf", "nan"])),
    st.tuples(st.just("--memory-limit"), st.sampled_from(["0", "-1", "lots"])),
    st.tuples(st.just("--executor"), st.sampled_from(["dask://", "threads", "tcp://h:1", "Local"])),
    st.tuples(st.just("--only"), NOT_A_NAME.map(lambda s: f"nosuch.{s}")),
)


@CASES
@given(CLI_BAD_OPTIONS)
def test_cli_rejects_bad_options_without_a_traceback(tmp_path_factory, capsys, option):
    reports = tmp_path_factory.mktemp("cli")
    try:
        rc = main(["verify", *option, "--quiet", "--reports-dir", str(reports)])
    except SystemExit as exc:  # argparse's own usage errors
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("critlocus") and "error" in last
    assert not any(reports.iterdir())  # nothing computed, nothing written


@CASES
@given(st.sampled_from(["--json", "--markdown", "--reports-dir"]),
       st.sampled_from(["under a file", "missing folder", "is a directory"]),
       NOT_A_NAME)
def test_cli_refuses_unwritable_output_paths_in_one_line(tmp_path_factory, capsys, option, kind, name):
    base = tmp_path_factory.mktemp("out")
    blocker = base / "a_file"
    blocker.write_text("not a folder")
    if kind == "under a file":
        path = blocker / f"{name}.json"
    elif kind == "missing folder":
        assume(option != "--reports-dir")  # the reports folder is created on demand (docs/errors.md)
        path = base / "nonexistent" / f"{name}.json"
    else:
        assume(option != "--reports-dir")
        path = base
    argv = ["verify", "--only", "cooper.thm3.1", "--quiet", option, str(path)]
    if option != "--reports-dir":
        argv += ["--reports-dir", str(base / "reports")]
    assert main(argv) == 4
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"critlocus: error: {option}") and "\n" not in err, err
    assert not (base / "nonexistent").exists()  # no folder created for --json/--markdown
