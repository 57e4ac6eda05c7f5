from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import Inference, inference
from wicked_data.checks.analysis.syntax import FunctionNode, chain_name
from wicked_data.checks.analysis.names import last
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding

ERROR_HANDLER_REGISTRATIONS = {"errorhandler", "register_error_handler", "exception_handler", "add_exception_handler",
                               "app_errorhandler"}


class UnhandledInferenceErrors(Rule):
    """
    ## What it does
    Flags a prediction on a served model (a route handler, a scoring function, a batch job) that
    no `try`/`except` covers: not in the function that predicts, not around every call of that
    function in the module, and, for routes, no application-wide error handler
    (`@app.errorhandler`, `app.add_exception_handler`).

    ## Why is this bad?
    Feature building and `predict` fail on real input: a missing column, an unseen category, a
    NaN, a dtype the model does not accept, a model file that did not load. Unhandled, one bad
    record returns a bare 500 with a stack trace, kills a whole batch run halfway through, and
    leaves nothing in the logs that says which input failed or why.

    ## Example
    ```python
    def predict_churn(customer_data):
        features = build(customer_data)
        return model.predict_proba(features)[0][1]
    ```

    ## Use instead
    Catch what the model path can raise, log it with context, and answer with a clear error (or
    skip the record in a batch and count it):
    ```python
    try:
        p = float(model.predict_proba(build(customer))[0, 1])
    except (KeyError, ValueError) as exc:
        log.exception("scoring failed for %s", customer.get("id"))
        raise HTTPException(status_code=422, detail=str(exc))
    ```

    ## Known problems
    A handler in another module (a caller importing this function, a middleware) is not seen, so
    library functions meant to raise to their caller are flagged; a `try` anywhere around the call
    counts, whatever it catches. Training code and notebooks are not checked. A batch job (it
    writes its results to storage) is only flagged for a loop over records (a per-step loop over forecast days, a DataLoader's mini-batches
    or files fails as a whole, and its traceback is its report), and a scoring function that only
    training code, notebooks and tests call is an offline check, not a service.
    """

    id = "ML406"
    name = "unhandled-inference-errors"
    severity = Severity.P2
    online_only = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.source.is_notebook or module.role == "training" or module.is_test:
            return
        facts = inference(module)
        # a command line's traceback is its error report, and so is a one-shot module-level script's
        served = {id(p) for e in facts.entries if e.kind in ("route", "function") for p in e.predictions}
        commands = {id(p) for e in facts.entries if e.kind in ("cli", "batch") for p in e.predictions}
        routes = {id(f) for e in facts.entries if e.kind == "route" for f in e.reach}
        global_handler = _has_error_handler(module)
        reported: set[int] = set()
        for pred in facts.predictions:
            if id(pred) not in served and (not facts.loads or pred.function is None or facts.is_model_adapter(pred.function)
                                           or ((id(pred) in commands or id(pred.function) in facts.command_functions
                                                or facts.batch_job(pred.function))
                                               and not _per_record(facts, pred.node))):
                continue  # an all-or-nothing command or batch job: its traceback is the error report
            key = id(pred.function) if pred.function is not None else 0
            if key in reported:
                continue
            if (global_handler and key in routes) or _handled(facts, pred.node, pred.function, 3):
                continue
            reported.add(key)
            load = facts.load_for(pred)
            related = [(None, load.line, "the model is loaded here")] if load is not None and load.line != pred.line else []
            where = f"in {pred.function.name}()" if pred.function is not None else "at module level"
            yield Hit(f"the prediction {where} runs with no error handling on the load/feature/predict path; a "
                      "malformed record or a model that failed to load ends in an unlogged crash (a bare 500, a "
                      "half-finished batch). Catch the expected errors, log them with the input's id, and "
                      "answer or skip explicitly", node=pred.node, related=related,
                      confidence="high" if id(pred) in served else "medium",
                      fix=f"Wrap the feature building and `{module.text(pred.node.func)}(...)` {where} in "
                          "`try`/`except` for the errors they raise (missing or malformed fields, a model that did "
                          "not load), log them with the input's id, and answer with a clear error."
                      if len(module.text(pred.node.func)) <= 40 else None)


    def settled_elsewhere(self, finding: Finding, project: Project) -> bool:
        """The function is called from other modules of the project, and each of those calls sits
        in a `try` that catches errors (a route in `server.py` wrapping a `service.py` helper)."""
        found = project.service_map.cross_file_callers(finding.file, finding.line)
        return found is not None and all(call.get("guarded") for _, call in found[1])


def _per_record(facts: Inference, node: ast.AST) -> bool:
    """The prediction runs once per item of a loop over records (a batch scored record by record).
    A loop over steps (`range`, dates, a DataLoader's mini-batches, files) is not one: a recursive
    forecast or a submission run fails as a whole, and its traceback is the report."""
    for anc in facts.syntax.ancestors(node):
        if isinstance(anc, (ast.For, ast.AsyncFor)):
            return not _steps(facts, anc.iter)
        if isinstance(anc, ast.While):
            return True
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
    return False


def _steps(facts: Inference, node: ast.expr) -> bool:
    """`range(n)`, `enumerate(tqdm(loader))`, `pd.date_range(...)`, a torch DataLoader, a glob of
    files: the items are positions, dates, mini-batches or files, not records."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("enumerate", "tqdm", "zip") \
            and node.args:
        node = node.args[0]
    if isinstance(node, ast.Call):
        name = facts.module.imports.resolve(node.func) or chain_name(node.func)
        if last(name) in ("range", "date_range", "glob", "iglob", "listdir", "scandir", "period_range") or \
                name.startswith("tqdm."):
            return True
    val = facts.module.flow.val_at(node)
    return val is not None and any((a.ctor or "").endswith(("DataLoader", "date_range")) or
                                   (a.call is not None and last(a.call.qualname or "") in ("date_range", "glob", "listdir"))
                                   for a in facts.module.flow.ancestors(val))


def _handled(facts: Inference, node: ast.AST, fn: FunctionNode | None, depth: int) -> bool:
    """Inside a `try`, or every call of its function in the module is."""
    if facts.syntax.handled(node):
        return True
    if fn is None or depth == 0:
        return False
    callers = facts.callers(fn)
    return bool(callers) and all(_handled(facts, c.node, facts.syntax.function_of(c.node), depth - 1) for c in callers)


def _has_error_handler(module: ModuleAnalysis) -> bool:
    for call in module.calls:
        if (call.method or call.short) in ERROR_HANDLER_REGISTRATIONS:
            return True
    return False


UnhandledInferenceErrors.invalid = [
    # the same helper, called from a route in another module that does not catch anything
    {"scoring.py": """
        import joblib
        import pandas as pd

        BUNDLE = joblib.load("artifacts/eta-3.2.joblib")

        def estimate_minutes(order: dict) -> float:
            frame = pd.DataFrame([order])[BUNDLE["features"]]
            return float(BUNDLE["model"].predict(frame)[0])  # ruleid: ML406
        """,
     "server.py": """
        from fastapi import FastAPI
        from scoring import estimate_minutes

        app = FastAPI()

        @app.post("/eta")
        def eta(order: dict):
            return {"minutes": estimate_minutes(order)}
        """},
    # the seed: neither the function nor its caller handles errors
    """
    import pandas as pd
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)

    def predict_churn(customer_data):
        features = pd.DataFrame([customer_data])
        return model.predict_proba(features)[0][1]  # ruleid: ML406

    if __name__ == "__main__":
        print(predict_churn({"order_count": 5}))
    """,
    # Flask route
    """
    import pickle
    import pandas as pd
    from flask import Flask, jsonify, request
    app = Flask(__name__)
    with open("churn_rf.pkl", "rb") as fh:
        model = pickle.load(fh)

    @app.route("/churn-score", methods=["POST"])
    def churn_score():
        frame = pd.DataFrame([request.get_json()])[FEATURES]
        probability = model.predict_proba(frame)[0, 1]  # ruleid: ML406
        return jsonify({"p": float(probability)})
    """,
    # a batch job with an alias that scores the listings one by one: one bad listing ends the run
    """
    import joblib as jl
    import pandas as pd

    def main(in_path, out_path):
        ridge = jl.load("ridge.joblib")
        listings = pd.read_csv(in_path)
        rents = []
        for _, listing in listings.iterrows():
            rents.append(float(ridge.predict(listing[COLUMNS].to_frame().T)[0]))  # ruleid: ML406
        listings["rent"] = rents
        listings.to_csv(out_path)

    if __name__ == "__main__":
        main("in.csv", "out.csv")
    """,
    # a torch network in a FastAPI route
    """
    import torch
    from fastapi import FastAPI
    app = FastAPI()
    net = RiskNet()
    net.load_state_dict(torch.load("risknet.pt", weights_only=True))

    @app.post("/risk")
    def risk(batch: Batch):
        x = torch.tensor([[p.age, p.stay] for p in batch.patients])
        with torch.no_grad():
            probs = torch.sigmoid(net(x)).tolist()  # ruleid: ML406
        return {"risk": probs}
    """,
]

UnhandledInferenceErrors.valid = [
    # an export check only the training script calls: an offline step, not a service
    {"export.py": """
        import onnxruntime as ort

        def parity(onnx_path, sample, expected):
            session = ort.InferenceSession(onnx_path)
            got = session.run(None, {"x": sample})[0]
            return abs(got - expected).max() < 1e-4
        """,
     "train.py": """
        import joblib
        import numpy as np
        from sklearn.linear_model import Ridge
        from export import parity
        X, y = np.load("X.npy"), np.load("y.npy")
        ridge = Ridge().fit(X, y)
        joblib.dump({"model": ridge, "version": "2025-05-01"}, "ridge-2025-05-01.joblib")
        assert parity("ridge.onnx", X[:10].astype("float32"), ridge.predict(X[:10]))
        """},
    # a one-shot batch job scoring the whole file in one call: it fails as a whole, before writing
    """
    import joblib as jl
    import pandas as pd

    def main(in_path, out_path):
        ridge = jl.load("ridge.joblib")
        listings = pd.read_csv(in_path)
        listings["rent"] = ridge.predict(listings[COLUMNS])
        listings.to_csv(out_path)

    if __name__ == "__main__":
        main("in.csv", "out.csv")
    """,
    # the scoring helper lives in one module; the only route calling it, in another, catches errors
    {"scoring.py": """
        import joblib
        import pandas as pd

        BUNDLE = joblib.load("artifacts/eta-3.2.joblib")

        def estimate_minutes(order: dict) -> float:
            frame = pd.DataFrame([order])[BUNDLE["features"]]
            return float(BUNDLE["model"].predict(frame)[0])
        """,
     "server.py": """
        import logging
        from fastapi import FastAPI, HTTPException
        from scoring import estimate_minutes

        app = FastAPI()
        log = logging.getLogger("eta")

        @app.post("/eta")
        def eta(order: dict):
            try:
                return {"minutes": estimate_minutes(order)}
            except (KeyError, ValueError) as exc:
                log.warning("bad order %s: %s", order.get("id"), exc)
                raise HTTPException(status_code=422, detail=str(exc))
        """},
    # a command that scores a whole file in one call: a crash is its error report, nothing half-done
    """
    import argparse
    import joblib
    import pandas as pd

    def run(source, target):
        rows = pd.read_csv(source)
        scorer = joblib.load("artifacts/scorer.joblib")
        rows["p"] = scorer.predict_proba(rows)[:, 1]
        rows.to_csv(target, index=False)

    if __name__ == "__main__":
        cli = argparse.ArgumentParser()
        cli.add_argument("source")
        cli.add_argument("target")
        opts = cli.parse_args()
        run(opts.source, opts.target)
    """,
    # a model wrapper implementing fit/predict: its callers decide how errors are handled
    """
    import lightgbm as lgb

    class BoosterModel:
        def fit(self, X, y):
            self.booster = lgb.train({"objective": "binary"}, lgb.Dataset(X, label=y))
            return self

        def load(self, path):
            self.booster = lgb.Booster(model_file=path)
            return self

        def predict_proba(self, X):
            return self.booster.predict(X)
    """,
    # try/except in the route
    """
    import logging
    from fastapi import FastAPI, HTTPException
    log = logging.getLogger(__name__)
    app = FastAPI()

    @app.post("/score")
    def score(txn: Transaction):
        try:
            p = float(state["bundle"]["model"].predict_proba(build(txn))[0, 1])
        except Exception:
            log.exception("scoring failed")
            raise HTTPException(status_code=500, detail="scoring failed")
        return {"p": p}
    """,
    # the caller handles errors of the helper that predicts
    """
    import joblib, sys

    def score(rows, model):
        return model.predict(rows)

    def main():
        model = joblib.load(sys.argv[1])
        try:
            preds = score(read(sys.argv[2]), model)
        except (OSError, ValueError) as exc:
            print(f"failed: {exc}", file=sys.stderr)
            return 1
        return 0
    """,
    # an application-wide error handler
    """
    from flask import Flask, jsonify, request
    app = Flask(__name__)

    @app.errorhandler(Exception)
    def on_error(exc):
        return jsonify({"error": str(exc)}), 500

    @app.post("/predict")
    def predict():
        return jsonify({"p": float(MODEL.predict_proba(to_frame(request.get_json()))[0, 1])})
    """,
    # training: predictions of the model fitted here are evaluation
    """
    from sklearn.ensemble import RandomForestClassifier
    model = RandomForestClassifier().fit(X_train, y_train)
    y_pred = model.predict(X_test)
    """,
]
