"""The shape of the code, as docs/architecture.md describes it: the apps stand on a floor in
scrutiny/ and import nothing else of it; the floor stands on nothing above it; views stay short
and every view decides about drafts itself; forms live in forms.py."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOOR = {
    "scrutiny.api_schema",
    "scrutiny.audit",
    "scrutiny.audited_admin",
    "scrutiny.capabilities",
    "scrutiny.clock",
    "scrutiny.editing",
    "scrutiny.mail",
    "scrutiny.queue",
    "scrutiny.roles",
    "scrutiny.tokens",
}
APPS_ABOVE = ("metrics", "improvement_plan")


def _sources(package):
    return [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]


def _imports(path):
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("package", APPS_ABOVE)
def test_the_apps_import_only_the_floor_from_scrutiny(package):
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in _sources(package)
        for module in _imports(path)
        if module.startswith("scrutiny.")
        and not any(module == f or module.startswith(f + ".") for f in FLOOR)
    }
    assert not wrong, sorted(wrong)


def test_the_floor_stands_on_nothing_above_it():
    wrong = {
        f"{module}: {imported}"
        for module in sorted(FLOOR)
        for imported in _imports(ROOT / (module.replace(".", "/") + ".py"))
        if imported.startswith(("metrics", "improvement_plan"))
        or (
            imported.startswith("scrutiny.")
            and not any(imported == f or imported.startswith(f + ".") for f in FLOOR)
        )
    }
    assert not wrong, sorted(wrong)


def test_the_architecture_notes_name_every_floor_module():
    notes = (ROOT / "docs" / "architecture.md").read_text()
    missing = [m for m in sorted(FLOOR) if f"`{m.replace('.', '/')}.py`" not in notes]
    assert not missing, missing


def test_below_the_views_nothing_asks_a_user_whether_drafts_may_be_seen():
    """Views decide with roles.sees_drafts and pass ``drafts`` down."""
    wrong = [
        str(path.relative_to(ROOT))
        for package in (*APPS_ABOVE, "scrutiny")
        for path in _sources(package)
        if '"scrutiny.view_drafts"' in path.read_text() and path.name != "roles.py"
    ]
    assert not wrong, wrong


VIEW_LINES = 40


def _views():
    """Every function that takes a request, in the modules that hold views and the API."""
    for package in (*APPS_ABOVE, "scrutiny"):
        for path in sorted((ROOT / package).glob("*.py")):
            if "views" not in path.name and "api" not in path.name:
                continue
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef) and node.args.args[:1]:
                    if node.args.args[0].arg == "request":
                        name = f"{path.relative_to(ROOT)}:{node.name}"
                        yield name, node.end_lineno - node.lineno + 1


def test_views_are_short():
    """A view checks, asks the models and renders: the work is in the models and forms."""
    views = dict(_views())
    assert len(views) > 100  # every view is found
    long = {name: lines for name, lines in views.items() if lines > VIEW_LINES}
    assert not long, long


def test_forms_live_in_each_apps_forms_module():
    """A view module holds views: a form class defined in one is hard to find and to reuse."""
    in_views = [
        f"{path.relative_to(ROOT)}:{node.name}"
        for package in (*APPS_ABOVE, "scrutiny")
        for path in sorted((ROOT / package).glob("*views*.py"))
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.ClassDef) and node.name.endswith(("Form", "Filter"))
    ]
    assert not in_views, in_views
