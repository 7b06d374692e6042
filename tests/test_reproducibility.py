"""A run's instances depend only on the spec, the seed and the example count — not on the other
spec files loaded, on ``--jobs``, or on which worker ran which spec — and two runs with one seed
write identical results once ``timing`` is removed."""

import json
import textwrap

from critlocus.cli import main
from critlocus.report import strip_timing

CONJECTURES = textwrap.dedent('''
    from critlocus import Source, Spec, claims, strategies

    CORE = strategies.core_locus_instances(max_depth=4, max_width=4, max_data=4)

    FALSE = Spec(id="mine.core-no-positive", source=Source("notes"),
                 statement="Core points have no positive Hessian eigenvalue.",
                 instances=CORE, claim=claims.hessian_inertia(positive=0))
    TRUE = Spec(id="mine.core-no-negative", source=Source("notes"),
                statement="Core points have no negative Hessian eigenvalue.",
                instances=CORE, claim=claims.hessian_inertia(negative=0))
''')

# Two other researchers' files, full of numeric constants: Hypothesis would mix the constants of
# every loaded module into generation if critlocus did not isolate each spec's search.
OTHER_A = textwrap.dedent('''
    from critlocus import Source, Spec, claims, strategies

    WIDTHS = (3, 7, 11, 13, 17, 19, 23, 29, 31)
    SCALES = (0.125, 0.375, 1.75, -0.625, 2.5, -1.5, 0.0625, 1.25, -0.75, 0.3125)
    A = Spec(id="other.star-critical", source=Source("notes"), statement="Star points are critical.",
             instances=strategies.star_locus_instances(max_depth=4, max_width=3, max_data=3),
             claim=claims.is_critical())
''')
OTHER_B = textwrap.dedent('''
    from critlocus import Source, Spec, claims, strategies

    FIB = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597]
    HALVES = [0.5, 0.25, 1.5, -2.0, 1.0, -0.5, 0.75, 1.125, -0.875]
    B = Spec(id="other.core-degenerate", source=Source("notes"), statement="Core points are degenerate.",
             instances=strategies.core_locus_instances(max_depth=4, max_width=3, max_data=3),
             claim=claims.is_degenerate())
''')


def _check(tmp_path, name, files, jobs):
    out = tmp_path / f"{name}.json"
    main(["check", *map(str, files), "--examples", "12", "--seed", "11", "--jobs", str(jobs), "--quiet",
          "--json", str(out), "--reports-dir", str(tmp_path / "reports"), "--no-plots"])
    return {r["id"]: r for r in json.loads(out.read_text())["results"]}, json.loads(out.read_text())


def test_same_instances_alone_beside_other_files_and_across_jobs(tmp_path):
    conj = tmp_path / "mine" / "conjectures.py"
    conj.parent.mkdir()
    conj.write_text(CONJECTURES)
    a, b = tmp_path / "other_a.py", tmp_path / "other_b.py"
    a.write_text(OTHER_A)
    b.write_text(OTHER_B)
    runs = {
        "alone --jobs 1": _check(tmp_path, "alone-1", [conj], 1),
        "beside --jobs 1": _check(tmp_path, "beside-1", [a, b, conj], 1),
        # the other files first: each of the two reused workers has run one of them (and loaded
        # its file) before it runs a conjecture
        "beside --jobs 2": _check(tmp_path, "beside-2", [a, b, conj], 2),
    }
    reference = strip_timing(runs["alone --jobs 1"][0])
    assert reference["mine.core-no-positive"]["verdict"] == "fails"
    assert reference["mine.core-no-negative"]["verdict"] == "holds"
    for name, (by_id, _) in runs.items():
        for spec_id, record in reference.items():
            got = strip_timing(by_id[spec_id])
            assert got["search"]["instances_sha256"] == record["search"]["instances_sha256"], (name, spec_id)
            assert got == record, (name, spec_id)
    # the whole document is the same for --jobs 1 and --jobs 2 (jobs is a timing detail)
    assert strip_timing(runs["beside --jobs 1"][1]) == strip_timing(runs["beside --jobs 2"][1])
    assert runs["beside --jobs 2"][1]["timing"]["jobs"] == 2


def test_verify_twice_with_one_seed_gives_identical_json_without_timing(tmp_path):
    docs = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        assert main(["verify", "--only", "cooper.thm3.1", "cooper.thm3.2", "--seed", "7", "--examples", "8",
                     "--json", str(out), "--quiet", "--reports-dir", str(tmp_path / "reports"),
                     "--no-plots"]) == 0
        docs.append(json.loads(out.read_text()))
    assert docs[0]["timing"]["run_id"] != docs[1]["timing"]["run_id"]
    assert strip_timing(docs[0]) == strip_timing(docs[1])
    # clock and host details live only under "timing"
    text = json.dumps(strip_timing(docs[0]))
    assert docs[0]["timing"]["created"] not in text and docs[0]["timing"]["host"] not in text
