"""The source notebooks follow the exercise contract and nbgrader's rules."""

import ast
import re

import pytest

from threads101 import course as C

LOCKED_PREFIXES = ("setup", "demo_", "given_")


def cells(notebook):
    return C.source_notebook(notebook).cells


def meta(cell):
    return C.nbgrader_meta(cell)


@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_every_contract_name_alone_in_exactly_one_solution_cell(notebook):
    expected = C.EXERCISES[notebook]  # contract name -> grade_id
    all_cells = cells(notebook)
    solution_cells = {meta(c)["grade_id"]: c for c in all_cells
                      if meta(c).get("solution") and c.cell_type == "code"}
    assert set(solution_cells) == set(expected.values())
    for name, grade_id in expected.items():
        source = solution_cells[grade_id].source
        assert C.SOLUTION_BEGIN in source and C.SOLUTION_END in source
        tree = ast.parse(source)
        defs = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        assert len(defs) == 1 and isinstance(defs[0], (ast.FunctionDef, ast.ClassDef)), \
            f"{grade_id}: the cell should hold only the definition of {name}"
        assert defs[0].name == name
        assert ast.get_docstring(defs[0]), f"{name} needs a docstring"
        others = [meta(c).get("grade_id") for c in all_cells if c is not solution_cells[grade_id]
                  and c.cell_type == "code" and re.search(rf"^(def|class) {name}\b", c.source, re.MULTILINE)]
        assert not others, f"{name} is also defined in {others}"


@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_grade_ids_points_and_hidden_tests(notebook):
    ids = [meta(c)["grade_id"] for c in cells(notebook) if meta(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    cell_ids = [c.id for c in cells(notebook)]
    assert len(cell_ids) == len(set(cell_ids)), "cell ids must be unique"
    graded = [c for c in cells(notebook) if meta(c).get("grade")]
    # The self-checks are graded cells worth 0 points (for Validate, see the next test);
    # every other graded cell carries points.
    tests = [c for c in graded if not C.is_selfcheck(c)]
    for cell in tests:
        assert meta(cell).get("points", 0) > 0, f"{meta(cell)['grade_id']} has no points"
    for cell in tests:
        if cell.cell_type == "code":
            gid = meta(cell)["grade_id"]
            assert C.exercise_of(gid), f"{gid} does not name the exercise it tests"
            assert C.HIDDEN_BEGIN in cell.source and C.HIDDEN_END in cell.source, \
                f"{gid}: the graded checks belong between hidden-test markers"
    for grade_id in C.EXERCISES[notebook].values():
        assert f"{grade_id}_selfcheck" in ids, f"{grade_id} needs a self-check cell"
        assert any(C.exercise_of(meta(c)["grade_id"]) == grade_id and c.cell_type == "code"
                   for c in tests), f"{grade_id} has no graded test"
    title = cells(notebook)[0].source.splitlines()[0]
    total = re.search(r"\((\d+) points\)", title)
    assert total, f"the title should show the notebook's points: {title!r}"
    assert int(total.group(1)) == sum(meta(c)["points"] for c in graded)  # self-checks add 0


@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_every_selfcheck_is_a_zero_point_test_cell(notebook):
    """nbgrader's Validate judges only graded cells, and the release's test cells hold only a
    comment: each exercise's self-check is an autograded test cell worth 0 points, so that
    Validate runs it and reports it when it fails, and no score changes. No other graded
    cell is worth 0 points, and the release keeps the self-checks' metadata."""
    released = {meta(c).get("grade_id"): c for c in C.release_notebook(notebook).cells}
    for grade_id in C.EXERCISES[notebook].values():
        gid = f"{grade_id}_selfcheck"
        assert C.SELFCHECK_IDS[gid] == notebook and C.exercise_of(gid) == grade_id
        for where, cell in (("source", next(c for c in cells(notebook) if meta(c).get("grade_id") == gid)),
                            ("release", released[gid])):
            m = meta(cell)
            assert cell.cell_type == "code", (where, gid)
            assert (m.get("grade"), m.get("points"), m.get("locked"), m.get("solution")) == \
                (True, 0, True, False), f"{where} {gid}: {m}"
            assert C.is_graded_code(cell) and C.is_selfcheck(cell) and not C.is_test(cell)
            assert C.HIDDEN_BEGIN not in cell.source and "@selfcheck" in cell.source, (where, gid)
    zero = {meta(c)["grade_id"] for c in cells(notebook) if meta(c).get("grade")
            and not meta(c).get("points")}
    assert zero == {f"{g}_selfcheck" for g in C.EXERCISES[notebook].values()}


@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_no_outputs_and_demos_read_only(notebook):
    for cell in cells(notebook):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                "source notebooks are kept without outputs"
        gid = meta(cell).get("grade_id", "")
        if gid.startswith(LOCKED_PREFIXES) or gid.endswith("_selfcheck"):
            assert meta(cell).get("locked"), f"{gid} should be read-only"


@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_hidden_tests_keep_their_names_to_themselves(notebook):
    """A hidden test must not rebind a global a student's code may use."""
    import textwrap

    for cell in cells(notebook):
        if C.is_graded_code(cell):
            names = C.top_level_names(textwrap.dedent(C.hidden_code(cell.source)))
            public = sorted(n for n in names if not n.startswith("_t101"))
            assert not public, f"{meta(cell)['grade_id']} binds {public} at the top level"
