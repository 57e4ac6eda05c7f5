from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from wicked_data.checks.analysis.entries import Entry, Origin
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.analysis.production import inference
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule

if TYPE_CHECKING:
    from wicked_data.checks.analysis.project import Project
    from wicked_data.checks.models import Finding


class UnvalidatedModelInput(Rule):
    """
    ## What it does
    Flags an inference entry point that hands caller data to the model with no schema, type or
    range validation. Entry points are route handlers (Flask, FastAPI), functions whose own
    parameter (a customer record, a request payload) reaches `predict`/`predict_proba`, and
    command lines that parse a record from their arguments. The data counts as validated when it
    is declared with a schema (a pydantic model or scalar types on a FastAPI parameter), passes
    through a validator (`validate(...)`, `parse_order(...)`, `Order(**payload)`,
    `Schema.model_validate(...)`, pandera), is tested by a check that rejects it (`if ...: raise`,
    `abort(400)`), or only ever comes from UI inputs that fix its type and range (Streamlit sliders,
    select boxes and number inputs, Gradio components; free text counts while it reaches the model
    as text, not once it is turned into a number with `float(...)`).

    ## Why is this bad?
    A missing field raises a `KeyError` deep inside feature code, a string where a number belongs
    becomes a `TypeError` (or is silently coerced), a negative count or an age of 900 produces a
    confident but meaningless score. Without validation, bad input turns into 500 errors or, worse,
    wrong decisions that nobody notices.

    ## Example
    ```python
    def predict_churn(customer_data):
        features = pd.DataFrame([{"order_count": customer_data["order_count"], ...}])
        return model.predict_proba(features)[0][1]
    ```

    ## Use instead
    Declare the input and its ranges once, and let the framework reject what does not fit:
    ```python
    class Customer(BaseModel):
        order_count: int = Field(ge=0)
        total_revenue: float = Field(ge=0)

    @app.post("/churn")
    def churn(customer: Customer): ...
    ```

    ## Known problems
    Validation is recognised by its shape (a schema annotation, a validator's name, a rejecting
    `if` that mentions the data), not proven complete: checking one field silences the rule for
    the whole record. Batch jobs that read their input from files are not entry points here, and
    a command line whose model rows are read from a file or a table is a batch job: its own
    arguments (a run date, a cut-off) are not checked, even when they feed a feature.
    Data that reaches the model through an object attribute set in another method is not traced.
    A function whose every model is one of its parameters (`def score(model, X)`) and that nothing
    in the project calls is a helper, not an entry; an entry called only from Streamlit scripts
    whose every input is a typed, bounded widget (sliders, choices, bounded numbers) is validated by
    its caller, and any free-text or upload widget in the script keeps the finding.
    """

    id = "ML404"
    name = "unvalidated-model-input"
    severity = Severity.P1
    online_only = True

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        if module.source.is_notebook or module.role == "training" or module.is_test:
            return
        facts = inference(module)
        for entry in facts.entries:
            if entry.kind == "batch":
                continue  # a table handed over by the code that calls it: its rows were read and checked there
            missing = facts.unvalidated(entry)
            if missing:
                yield _hit(module, entry, min(missing, key=lambda o: (o.line, o.node.col_offset)))



    def settled_elsewhere(self, finding: Finding, project: Project) -> bool:
        """The function is called only from routes of other modules whose request body is a
        validated model (a pydantic schema): the caller validated what reaches this function."""
        callers = project.entry_callers(finding.file, finding.line)
        if callers and all(project.facts[rel].get("bounded_ui") for rel in callers):
            return True  # called only from UI scripts whose every input is a typed, bounded widget
        service = project.service_map
        found = service.cross_file_callers(finding.file, finding.line)
        if found is None:
            return False
        _, callers = found
        routes = {(r.file, r.facts["function"]): r.facts for r in service.routes}
        fields = {name: schema["fields"] for facts in service.services.values()
                  for name, schema in (facts.get("schemas") or {}).items()}

        def validated(param: dict) -> bool:  # a request model of the project that declares its fields
            names = re.findall(r"[A-Za-z_]\w*", param["annotation"] or "")
            return param["kind"] == "schema" and any(fields.get(n) for n in names)

        return all(any(validated(p) for p in routes[(caller.file, caller.qualname)]["params"])
                   if (caller.file, caller.qualname) in routes else False for caller, _ in callers)


def _hit(module: ModuleAnalysis, entry: Entry, origin: Origin) -> Hit:
    pred = entry.predictions[0]
    name = entry.name
    if origin.kind == "param":
        what = f"parameter `{origin.node.arg}` of {name}()"  # type: ignore[attr-defined]
    elif origin.kind == "request":
        what = f"the request body (`{module.text(origin.node)}`)"
    else:
        what = f"command-line input (`{module.text(origin.node)}`)"
    message = (f"{what} reaches the model with no schema, type or range validation; a missing field, a wrong "
               "type or an out-of-range value becomes an error or a silently wrong prediction. Validate it "
               "(a pydantic model, a schema, explicit checks) before building features")
    if origin.kind == "param" and entry.kind != "route":
        # a plain function: point at the prediction, with the entry point as context
        related = [(None, entry.function.lineno, f"{name}() takes the caller's data here")] if entry.function else []
        return Hit(message, node=pred.node, related=related, confidence="medium")
    related = [(None, pred.line, "the model is applied here")] if pred.line != origin.line else []
    return Hit(message, node=origin.node, related=related, confidence="high")


UnvalidatedModelInput.invalid = [
    # the seed: a function hands the caller's dict to the model
    """
    import pandas as pd
    import pickle
    with open("churn_model.pkl", "rb") as f:
        model = pickle.load(f)

    def predict_churn(customer_data):
        features = pd.DataFrame([{
            "order_count": customer_data["order_count"],
            "avg_order_value": customer_data["total_revenue"] / customer_data["order_count"],
        }])
        return model.predict_proba(features)[0][1]  # ruleid: ML404
    """,
    # Flask: the JSON body goes straight into a frame
    """
    import joblib
    import pandas as pd
    from flask import Flask, jsonify, request
    app = Flask(__name__)
    model = joblib.load("model.joblib")

    @app.route("/churn-score", methods=["POST"])
    def churn_score():
        payload = request.get_json()  # ruleid: ML404
        row = dict(payload)
        frame = pd.DataFrame([row])[FEATURES]
        return jsonify({"p": float(model.predict_proba(frame)[0, 1])})
    """,
    # FastAPI with a raw dict body, the model in a module-level bundle, a helper builds the features
    """
    import pandas as pd
    from fastapi import Body, FastAPI
    from loader import BUNDLE
    app = FastAPI()

    def to_frame(user):
        return pd.DataFrame([user]).reindex(columns=BUNDLE["features"])

    @app.post("/engagement")
    def engagement(user: dict = Body(...)):  # ruleid: ML404
        probability = BUNDLE["model"].predict_proba(to_frame(user))[0, 1]
        return {"p": float(probability)}

    @app.post("/engagement-batch")
    def engagement_batch(users: list[dict]):  # ruleid: ML404
        return {"p": BUNDLE["model"].predict_proba(pd.DataFrame(users))[:, 1].tolist()}
    """,
    # a command line parsing one record
    """
    import argparse, json
    import numpy as np
    import xgboost as xgb

    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--employee", required=True)
        args = parser.parse_args()
        employee = json.loads(args.employee)  # ruleid: ML404
        booster = xgb.Booster()
        booster.load_model("attrition.json")
        row = np.array([[employee["age"], employee["monthly_income"]]])
        print(float(booster.predict(xgb.DMatrix(row))[0]))
    """,
    # Flask form fields packed as they are into a numeric row
    """
    import joblib
    import numpy as np
    from flask import Flask, request
    app = Flask(__name__)
    model = joblib.load("clinic.joblib")

    @app.post("/risk")
    def risk():
        glucose = request.form["glucose"]  # ruleid: ML404
        bmi = request.form["bmi"]
        return str(model.predict(np.array([[glucose, bmi]]))[0])
    """,
    # a Streamlit text box turned into a number: nothing checks the string
    """
    import joblib
    import pandas as pd
    import streamlit as st
    pipe = joblib.load("attrition.joblib")
    left, right = st.columns(2)

    def predict(record):
        return pipe.predict_proba(pd.DataFrame([record]))[0, 1]  # ruleid: ML404

    age = float(left.text_input("Age"))
    dept = right.selectbox("Department", ["Sales", "R&D", "HR"])
    st.write(predict({"age": age, "dept": dept}))
    """,
    # a predictor class
    """
    import joblib as jl
    import pandas as pd

    class ChurnScorer:
        def __init__(self, path):
            self.model = jl.load(path)

        def score(self, customer):
            return self.model.predict_proba(pd.DataFrame([customer]))[:, 1]  # ruleid: ML404
    """,
]

UnvalidatedModelInput.valid = [
    # Streamlit widgets with fixed types and ranges are the only source of the record
    """
    import joblib
    import pandas as pd
    import streamlit as st
    pipe = joblib.load("attrition.joblib")

    def predict(record):
        return pipe.predict_proba(pd.DataFrame([record]))[0, 1]

    age = st.sidebar.slider("Age", 18, 65, 30)
    dept = st.selectbox("Department", ["Sales", "R&D", "HR"])
    years = st.number_input("Years", min_value=0, max_value=40)
    if st.button("Predict"):
        st.write(predict({"age": age, "dept": dept, "years": years}))
    """,
    # a Flask form field taken by key (a missing one is a 400) that reaches a text vectoriser as text
    """
    import joblib
    from flask import Flask, request
    from sklearn.feature_extraction.text import TfidfVectorizer
    app = Flask(__name__)
    vec, clf = TfidfVectorizer(), joblib.load("spam.joblib")

    @app.post("/spam")
    def spam():
        message = request.form["message"]
        return {"spam": int(clf.predict(vec.transform([message]))[0])}
    """,
    # a Gradio callback: free text to a text classifier, typed numbers to a regressor
    """
    import joblib
    import gradio as gr
    import numpy as np
    vec, clf, reg = joblib.load("vec.joblib"), joblib.load("clf.joblib"), joblib.load("reg.joblib")

    def classify(text):
        return str(clf.predict(vec.transform([text]))[0])

    def price(area, rooms):
        return float(reg.predict(np.array([[area, rooms]]))[0])

    with gr.Blocks() as demo:
        box = gr.Textbox()
        out = gr.Label()
        gr.Button("Go").click(classify, inputs=box, outputs=out)
    gr.Interface(price, [gr.Number(), gr.Slider(1, 8)], "number")
    demo.launch()
    """,
    # the helper's only caller is a route whose body is a pydantic model
    {"scoring.py": """
        import joblib
        import pandas as pd
        model = joblib.load("model-v2.joblib")

        def score_rows(rows):
            return model.predict_proba(pd.DataFrame(rows))[:, 1].tolist()
        """,
     "api.py": """
        from fastapi import FastAPI
        from pydantic import BaseModel, Field
        from scoring import score_rows
        app = FastAPI()

        class Row(BaseModel):
            income: float = Field(ge=0)
            age: int = Field(ge=18, le=120)

        @app.post("/score")
        def score(rows: list[Row]):
            try:
                return {"scores": score_rows([r.model_dump() for r in rows])}
            except ValueError as exc:
                return {"error": str(exc)}
        """},
    # FastAPI with a pydantic request model
    """
    import pandas as pd
    from fastapi import FastAPI
    from pydantic import BaseModel, Field
    app = FastAPI()
    MODEL = {}

    class PredictRequest(BaseModel):
        tenure_months: float = Field(ge=0)
        order_count: int = Field(ge=0)

    @app.post("/predict")
    def predict(req: PredictRequest):
        return {"p": float(MODEL["model"].predict_proba(pd.DataFrame([req.model_dump()]))[0, 1])}

    @app.post("/predict-batch")
    def predict_batch(reqs: list[PredictRequest]):
        return {"p": MODEL["model"].predict_proba(pd.DataFrame([r.model_dump() for r in reqs]))[:, 1].tolist()}
    """,
    # Flask with a parsing function that rejects bad input
    """
    from flask import Flask, jsonify, request
    app = Flask(__name__)

    def parse_order(body):
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        return {"distance_km": float(body["distance_km"])}

    @app.post("/late-risk")
    def late_risk():
        order = parse_order(request.get_json(silent=True))
        return jsonify({"p": float(bundle["pipeline"].predict_proba(build(order))[0, 1])})
    """,
    # explicit checks in the function
    """
    import pandas as pd

    def predict_churn(customer, model):
        missing = REQUIRED - customer.keys()
        if missing:
            raise ValueError(f"missing fields {sorted(missing)}")
        return model.predict_proba(pd.DataFrame([customer]))[0, 1]
    """,
    # training: the model is fitted here, predictions are evaluation
    """
    from sklearn.ensemble import RandomForestClassifier
    def evaluate(X_train, y_train, X_test):
        model = RandomForestClassifier().fit(X_train, y_train)
        return model.predict(X_test)
    """,
    # a cron batch job: the run date comes from the command line, the rows from the warehouse
    """
    import argparse, joblib
    import pandas as pd

    def score(customers, model, as_of):
        out = []
        for _, row in customers.iterrows():
            x = pd.DataFrame([{"tenure_days": (as_of - row["created_at"]).days, "orders": row["orders"]}])
            out.append(model.predict_proba(x)[0, 1])
        return out

    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--run-date", required=True)
        args = parser.parse_args()
        as_of = pd.Timestamp(args.run_date)
        customers = pd.read_sql("SELECT * FROM customer_profile", ENGINE)
        customers["p"] = score(customers, joblib.load("model.joblib"), as_of)
    """,
    # the same at module level, with the date parsed by strptime and the rows from a parquet file
    """
    import argparse
    from datetime import datetime
    import joblib
    import pandas as pd
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of")
    args = parser.parse_args()
    as_of = datetime.strptime(args.as_of, "%Y-%m-%d")
    model = joblib.load("model.joblib")
    rows = pd.read_parquet("s3://lake/accounts.parquet")
    rows["age_days"] = (as_of - rows["opened_on"]).dt.days
    rows["score"] = model.predict(rows[["age_days", "amount"]])
    """,
    # ids that select stored rows are a key, not the model's input
    """
    def predict_batch(lead_ids):
        rows = db.fetch_lead_rows(lead_ids)
        return MODEL.predict_proba(build_features(rows))[:, 1].tolist()
    """,
    # a batch job reading its input from a file
    """
    import joblib, sys
    import pandas as pd

    def main(in_path, out_path):
        model = joblib.load("model.joblib")
        listings = pd.read_csv(in_path)
        listings["score"] = model.predict(listings[COLUMNS])
        listings.to_csv(out_path)
    """,
]
