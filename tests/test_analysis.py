"""The shared analysis layer: names, data flow, splits, fits, targets, notebooks."""
import ast
import textwrap
from pathlib import Path

import pytest

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.names import Imports
from wicked_data.checks.analysis.source import SourceError, SourceFile, load


def analyse(code: str) -> ModuleAnalysis:
    text = textwrap.dedent(code)
    return ModuleAnalysis(SourceFile(Path("m.py"), "m.py", text), ast.parse(text))


@pytest.mark.parametrize("imports, expr, expected", [
    ("import pandas as pd", "pd.Timestamp.now", "pandas.Timestamp.now"),
    ("from datetime import datetime as dt", "dt.now", "datetime.datetime.now"),
    ("import sklearn.model_selection as ms", "ms.KFold", "sklearn.model_selection.KFold"),
    ("from sklearn import model_selection", "model_selection.train_test_split", "sklearn.model_selection.train_test_split"),
    ("import os.path", "os.path.join", "os.path.join"),
    ("import numpy as np", "df.mean", None),
])
def test_import_resolution(imports, expr, expected):
    table = Imports()
    for node in ast.parse(imports).body:
        table.add(node)
    assert table.resolve(ast.parse(expr, mode="eval").body) == expected


def test_call_names_resolve_through_aliases():
    m = analyse("""
        import sklearn.model_selection as ms
        from sklearn.preprocessing import StandardScaler as SS
        a, b = ms.train_test_split(X, y)
        s = SS()
        """)
    assert [c.name for c in m.calls] == ["sklearn.model_selection.train_test_split", "sklearn.preprocessing.StandardScaler"]


def test_flow_through_chains_helpers_and_unpacking():
    m = analyse("""
        import pandas as pd
        def clean(frame):
            out = frame.dropna().reset_index(drop=True)
            return out
        raw = pd.read_csv("a.csv")
        df = clean(raw)
        X, y = df.drop(columns=["t"]), df["t"]
        """)
    env = m.flow.module_env
    assert m.flow.derives_from(env["X"], env["raw"])
    assert m.flow.derives_from(env["y"], env["raw"])
    assert not m.flow.derives_from(env["raw"], env["X"])
    assert m.target_columns == {"t"}  # dropped from the features and kept apart


@pytest.mark.parametrize("code, kind, roles, shuffled, temporal", [
    ("X_tr, X_te, y_tr, y_te = train_test_split(X, y)", "function", ["train", "test", "train", "test"], True, False),
    ("a, b = train_test_split(df, shuffle=False)", "function", ["train", "test"], False, True),
    ("from sklearn.model_selection import KFold\nfor tr, va in KFold(5, shuffle=True).split(X):\n    pass",
     "splitter", ["train", "validation"], True, False),
    ("from sklearn.model_selection import TimeSeriesSplit\nfor i, (a_idx, b_idx) in enumerate(TimeSeriesSplit().split(X)):\n    pass",
     "splitter", ["train", "validation"], False, True),
    ("train = df[df['date'] < '2024-01-01']\ntest = df[df['date'] >= '2024-01-01']", "mask", ["train", "test"], False, True),
    ("X_train = X[:800]\nX_test = X[800:]", "slice", ["train", "test"], False, True),
    ("train = df.sample(frac=0.8, random_state=0)\ntest = df.drop(train.index)", "sample", ["train", "test"], True, False),
    ("import torch\ntr, te = torch.utils.data.random_split(ds, [0.8, 0.2])", "random_split", ["train", "test"], True, False),
])
def test_split_detection(code, kind, roles, shuffled, temporal):
    m = analyse("from sklearn.model_selection import train_test_split\n" + code)
    [split] = m.splits
    assert split.kind == kind
    assert [r for _, r in split.outputs] == roles
    assert split.shuffled == shuffled and split.temporal == temporal


def test_fits_know_what_was_fitted_on_what():
    m = analyse("""
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.linear_model import LogisticRegression
        from imblearn.over_sampling import SMOTE
        X_tr, X_te, y_tr, y_te = train_test_split(X, y)
        scaler = StandardScaler().fit(X_tr)
        Xb, yb = SMOTE().fit_resample(X_tr, y_tr)
        pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(Xb, yb)
        """)
    kinds = [(f.kind, f.X.name) for f in m.fits]
    assert kinds == [("transformer", "X_tr"), ("resampler", "X_tr"), ("pipeline", "Xb")]
    assert m.is_classifier_fit(m.fits[2]) is True
    assert {r for _, r in m.fits[0].X.roles} == {"train"}


def test_target_column_from_fit_and_split():
    m = analyse("""
        import pandas as pd
        df = pd.read_csv("c.csv")
        y = df["churned"].values
        X_train, X_test, y_train, y_test = train_test_split(df[["a"]], y)
        """)
    assert m.target_columns == {"churned"}


def test_notebook_is_one_module_with_cell_mapping(tmp_path):
    import json
    nb = {"nbformat": 4, "cells": [
        {"cell_type": "code", "source": ["import pandas as pd\n", "%time x = 1"]},
        {"cell_type": "markdown", "source": "notes"},
        {"cell_type": "code", "source": "%%bash\nls"},
        {"cell_type": "code", "source": ["df = pd.read_csv('a.csv')\n", "!pip install x"]},
    ]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    source = load(path, "nb.ipynb")
    ast.parse(source.text)  # magics and shell escapes are neutralised
    assert source.text.splitlines()[4] == "df = pd.read_csv('a.csv')"
    assert source.cell_of(5) == (4, 1) and source.cell_of(1) == (1, 1) and source.cell_of(3) == (3, 1)


def test_a_timed_cell_is_python_and_its_leak_is_reported(tmp_path):
    """`%%time` (and `%%capture`, `%time stmt`) run their Python in the notebook: a selector
    fitted on every row in a timed cell, then cross-validated, is the same leak as untimed."""
    import json
    cells = [{"cell_type": "code", "source": "import pandas as pd\nfrom sklearn.feature_selection import SelectKBest\n"
                                             "from sklearn.model_selection import cross_val_score\n"
                                             "from sklearn.linear_model import LogisticRegression\n"
                                             "frame = pd.read_csv('rows.csv')\n"
                                             "inputs, answer = frame.drop(columns=['y']), frame['y']"},
             {"cell_type": "code", "source": "%%time\npicked = SelectKBest(k=5).fit_transform(inputs, answer)"},
             {"cell_type": "code", "source": "%time scores = cross_val_score(LogisticRegression(), picked, answer, cv=5)"},
             {"cell_type": "code", "source": "%%timeit\nunused = picked.sum()"}]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "cells": cells}))
    lines = load(path, "nb.ipynb").text.splitlines()
    assert lines[6] == "#%%time" and lines[7].startswith("picked = ") and lines[8].startswith("scores = ")
    assert lines[9:] == ["#%%timeit", "#unused = picked.sum()"]  # timeit's namespace is its own
    from wicked_data.checks import review
    from wicked_data.checks.config import Config

    findings = review([tmp_path], Config(cache=False, select=["ML102"])).findings
    assert [(f.rule, f.cell) for f in findings] == [("ML102", 2)]


def test_a_percent_continuing_an_expression_is_the_operator_not_a_magic(tmp_path):
    import json
    cell = ["label = (\n", "    'rows: %d'\n", "    % len(df)\n", ")\n", 'text = """\n', "%notmagic\n", '"""\n',
            "total = 3 + \\\n", "%matplotlib inline\n", "%matplotlib inline"]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": cell}]}))
    lines = load(path, "nb.ipynb").text.splitlines()
    assert lines[2] == "    % len(df)" and lines[5] == "%notmagic"  # inside brackets, inside a string
    assert lines[8] == "%matplotlib inline"  # after a backslash: Python (a syntax error, not hidden)
    assert lines[9] == "#%matplotlib inline"


def test_notebook_cells_are_joined_in_the_order_they_ran(tmp_path):
    import json
    cells = [{"cell_type": "markdown", "source": "# title"},
             {"cell_type": "code", "execution_count": 1, "source": "a = 1"},
             {"cell_type": "code", "execution_count": 4, "source": "c = b + 1"},
             {"cell_type": "code", "execution_count": 2, "source": "b = a + 1"},
             {"cell_type": "code", "execution_count": None, "source": "d = 0"}]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "cells": cells}))
    source = load(path, "nb.ipynb")
    assert source.text.splitlines() == ["a = 1", "b = a + 1", "c = b + 1", "d = 0"]
    assert [source.cell_of(n) for n in (1, 2, 3, 4)] == [(2, 1), (4, 1), (3, 1), (5, 1)]
    assert source.executed_out_of_order == [(2, 1), (3, 4), (4, 2)]
    cells[2]["execution_count"], cells[3]["execution_count"] = 2, 4  # in order: shown order kept
    path.write_text(json.dumps({"nbformat": 4, "cells": cells}))
    source = load(path, "nb.ipynb")
    assert source.text.splitlines() == ["a = 1", "c = b + 1", "b = a + 1", "d = 0"]
    assert source.executed_out_of_order == []


def test_malformed_notebook_cell(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [{"cell_type": "code", "source": [1, 2]}]}')
    with pytest.raises(SourceError, match="cell 1"):
        load(path, "nb.ipynb")


def test_model_methods_on_objects_imported_from_the_project():
    m = analyse("""
        from app.state import model
        from sklearn import metrics
        p = model.predict_proba([[1, 2]])
        s = metrics.accuracy_score(y, p)
        """)
    [prediction] = m.predictions
    assert prediction.method == "predict_proba" and prediction.receiver.name == "model"
    assert [c.name for c in m.calls if c.method is None] == ["sklearn.metrics.accuracy_score"]


def test_syntax_traversal_matches_ast_walk():
    from tests.conftest import REPO
    """The inlined traversal of `Syntax` visits what `ast.walk` visits, in the same order, minus the
    shared expression contexts, with every node's parent."""
    import ast as _ast

    from wicked_data.checks.analysis.syntax import Syntax

    sources = [Path(_ast.__file__), *sorted((REPO / "checks").rglob("*.py"))[:40]]
    sources += sorted((REPO / "tests" / "corpus" / "cases").rglob("*.py"))[:40]
    for path in sources:
        tree = _ast.parse(path.read_text(encoding="utf-8"))
        want = [n for n in _ast.walk(tree) if not isinstance(n, _ast.expr_context)]
        syntax = Syntax(tree)
        assert [id(n) for n in syntax.nodes] == [id(n) for n in want], path
        shared = (_ast.expr_context, _ast.operator, _ast.unaryop, _ast.cmpop, _ast.boolop)  # singletons
        for node in want:
            for child in _ast.iter_child_nodes(node):
                if not isinstance(child, shared):
                    assert syntax.parent[id(child)] is node


def test_body_nodes_are_the_function_bodies_without_nested_scopes():
    import ast as _ast

    from wicked_data.checks.analysis.syntax import Syntax
    from tests.conftest import REPO

    nested = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef, _ast.Lambda)

    def reference(fn):
        stack, out = list(fn.body), []
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(c for c in _ast.iter_child_nodes(node)
                         if not isinstance(c, nested) and not isinstance(c, _ast.expr_context))
        return out

    for path in [*sorted((REPO / "checks" / "analysis").glob("*.py")), *sorted((REPO / "scenarios").rglob("*.py"))[:30]]:
        tree = _ast.parse(path.read_text(encoding="utf-8"))
        syntax = Syntax(tree)
        for fn in [tree, *syntax.functions]:
            assert [id(n) for n in syntax.body_nodes(fn)] == [id(n) for n in reference(fn)], (path, fn)
            assert syntax.body_nodes(fn) is syntax.body_nodes(fn)


def test_released_analysis_leaves_no_cycles_for_the_collector():
    """After `release`, a file's analysis (flow facts, shared facts, the syntax tree they hold) is
    freed by reference counting: the cyclic collector finds nothing left to scan. Without it, the
    same file leaves hundreds of objects in cycles."""
    import gc

    from wicked_data.checks.analysis.project import module_facts
    from wicked_data.checks.engine import parse
    from wicked_data.checks.rules.base import ProjectRule, registry

    path = Path(__file__).resolve().parent.parent / "scenarios" / "churn_predictor" / "workspace" / "model.py"
    rules = [r() for r in registry().values() if not issubclass(r, ProjectRule)]

    def garbage_left(release: bool) -> int:
        gc.collect()
        gc.disable()
        try:
            source = load(path, path.name)
            module = ModuleAnalysis(source, parse(source))
            findings = [hit for rule in rules for hit in rule.check(module)]
            for rule in rules:
                rule.satisfied(module)
            assert findings
            module_facts(module)
            if release:
                module.release()
            del module, source, findings
            return gc.collect()
        finally:
            gc.enable()

    assert garbage_left(release=False) > 100
    assert garbage_left(release=True) == 0


@pytest.mark.parametrize("opener", [
    "with mlflow.start_run():",
    "for seed in range(3):",
    "while True:",
    "try:\n    from helpers import prepare\nexcept ImportError:",
    "match mode:\n    case 'train':",
])
def test_functions_defined_in_module_level_blocks_are_analysed(opener):
    """A helper defined under `with mlflow.start_run():`, in a loop, as an ImportError fallback or in
    a `match` case is a module function all the same: its body's calls and splits are seen."""
    body = textwrap.indent(textwrap.dedent("""
        def prepare(df):
            X = StandardScaler().fit_transform(df)
            return train_test_split(X, df["y"])
        """), "        " if "case" in opener else "    ")
    m = analyse("import mlflow\nfrom sklearn.preprocessing import StandardScaler\n"
                "from sklearn.model_selection import train_test_split\n" + opener + "\n" + body)
    assert "prepare" in m.flow.functions
    assert [c.method or c.short for c in m.calls if c.scope == "prepare"] == \
        ["StandardScaler", "fit_transform", "train_test_split"]
    assert [s.kind for s in m.splits] == ["function"]


def test_loads_and_saves_called_on_a_call_result_are_found():
    """`get_registry().load_model(...)`, `build().save_model(path)`: a method on what a call returns
    has no spelled name, only its method; the per-call fast paths must not skip it."""
    from wicked_data.checks.analysis.production import inference
    from wicked_data.checks.analysis.project import module_facts

    m = analyse("""
        import mlflow
        def get_store():
            return mlflow.tracking.MlflowClient()
        model = get_store().load_model("models/churn.pkl")
        def train():
            return model
        train().save_model("out/model.bin")
        """)
    assert [load.call.method for load in inference(m).loads] == ["load_model"]
    artifacts = module_facts(m)["artifacts"]
    assert [a["path"] for a in artifacts["written"]] == ["model.bin"]  # paths are compared by file name
    assert [a["path"] for a in artifacts["loaded"]] == ["churn.pkl"]


def test_class_bodies_and_classes_defined_in_functions_are_analysed():
    """A class attribute is a value like any other (`model = joblib.load(...)` runs at import, and
    `self.model` in a method is it); the methods of a class built inside a function are seen."""
    m = analyse("""
        import joblib
        from sklearn.model_selection import train_test_split

        class Service:
            model = joblib.load("/opt/models/model.pkl")

            def score(self, rows):
                return self.model.predict_proba(rows)[:, 1]

        def make_trainer():
            class Trainer:
                def run(self, df):
                    return train_test_split(df, df["y"])
            return Trainer()
        """)
    load = next(c for c in m.calls if c.short == "load")
    assert load.scope == "<module>"
    proba = next(c for c in m.calls if c.method == "predict_proba")
    assert m.flow.derives_from(proba.receiver, load.val)
    assert [s.call.scope for s in m.splits] == ["make_trainer.Trainer.run"]


def test_a_model_loaded_as_a_class_attribute_is_reviewed(tmp_path):
    from wicked_data.checks import Config, review

    (tmp_path / "svc.py").write_text(textwrap.dedent("""
        import joblib

        class Service:
            model = joblib.load("/opt/models/model.pkl")

            def score(self, rows):
                return self.model.predict_proba(rows)[:, 1]
        """))
    rules = {f.rule for f in review([tmp_path], Config(cache=False)).findings if f.line == 5}
    assert {"ML402", "ML403", "ML407"} <= rules


def test_findings_in_a_notebook_that_ran_out_of_order_point_at_the_cells_as_shown(tmp_path):
    import json
    from wicked_data.checks import review
    from wicked_data.checks.config import Config
    cells = [
        (1, "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
            "from sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression\n"
            "df = pd.read_csv('loans.csv')"),
        (4, "X_tr, X_te, y_tr, y_te = train_test_split(X, df['defaulted'], random_state=0, stratify=df['defaulted'])\n"
            "clf = LogisticRegression().fit(X_tr, y_tr)"),
        (2, "X = df[['income', 'debt']]"),
        (3, "X = StandardScaler().fit_transform(X)  # wicked-data: ignore[ML109]"),
    ]
    nb = {"nbformat": 4, "cells": [{"cell_type": "code", "execution_count": c, "source": s, "metadata": {},
                                    "outputs": []} for c, s in cells]}
    (tmp_path / "loans.ipynb").write_text(json.dumps(nb))
    found = {f.rule: f for f in review([tmp_path], Config(cache=False)).findings}
    leak = found["ML102"]
    assert (leak.cell, leak.cell_line, leak.line) == (4, 1, 9)  # the scaler, 9th line as shown
    assert "cell 2, line 1" in leak.message  # the split it ran before, named as the user sees it
    order = found["ML211"]
    assert order.severity == "P2" and (order.cell, order.line) == (2, 6)


def test_counts_no_single_run_could_give_leave_the_cells_in_the_order_shown(tmp_path):
    import json
    cells = [{"cell_type": "code", "execution_count": 9, "source": "import pandas as pd\nframe = pd.read_csv('a.csv')\nmatrix = frame.corr()"},
             {"cell_type": "code", "execution_count": 4, "source": "print(matrix.shape)"},
             {"cell_type": "code", "execution_count": 2, "source": "labels = ['a', 'b']"}]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "cells": cells}))
    source = load(path, "nb.ipynb")
    # by counts the print (4) would come before the cell defining `matrix` (9): it ran on an earlier
    # run of that cell, so the counts are no one run's record; the order shown is kept
    assert source.text.splitlines() == ["import pandas as pd", "frame = pd.read_csv('a.csv')", "matrix = frame.corr()",
                                        "print(matrix.shape)", "labels = ['a', 'b']"]
    assert source.executed_out_of_order  # still reported (ML211)


def test_a_list_named_like_an_imported_metric_is_no_metric_call():
    """`f1_score = []` in a notebook, then `f1_score.append(...)`: the import no longer names what is
    called, and a method of the name is not the metric."""
    module = analyse("""
        from sklearn.metrics import f1_score, classification_report
        f1_score = []
        f1_score.append(report["1"]["f1-score"])
        print(classification_report(y_true, y_pred))
    """)
    assert [c.short for c in module.metric_calls] == ["classification_report"]
