from __future__ import annotations

from typing import Iterator

from wicked_data.checks.analysis.evaluation import evaluation
from wicked_data.checks.analysis.flowtypes import REBALANCED
from wicked_data.checks.analysis.module import ModuleAnalysis
from wicked_data.checks.models import Severity
from wicked_data.checks.rules.base import Hit, Rule


class AccuracyOnlyMetric(Rule):
    """
    ## What it does
    Flags a classifier judged by accuracy alone: `accuracy_score`, a classifier's `.score()`,
    `scoring='accuracy'`, Keras `metrics=['accuracy']`, torchmetrics `Accuracy`, XGBoost
    `eval_metric='error'`, or accuracy written by hand (the share of a model's outputs equal to the
    labels: `(pred == y_test).float().mean()`, `np.mean(pred == y)`, `(pred == y).sum() / len(y)`),
    with no precision, recall, F1, ROC AUC, PR AUC, log loss, confusion matrix or classification
    report anywhere in the project.

    ## Why is this bad?
    Accuracy hides what matters when classes are imbalanced: with 5% churners, a model that never
    predicts churn is 95% accurate. It says nothing about how many positives are found (recall),
    how many alerts are right (precision), or how well the scores rank (ROC/PR AUC).

    ## Example
    ```python
    y_pred = model.predict(X_test)
    print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")
    ```

    ## Use instead
    Report the metrics of the positive class and a threshold-free ranking metric:
    ```python
    proba = model.predict_proba(X_test)[:, 1]
    print(classification_report(y_test, model.predict(X_test)))
    print("ROC AUC", roc_auc_score(y_test, proba), "PR AUC", average_precision_score(y_test, proba))
    ```

    ## Known problems
    Accuracy by hand is recognised when one side of the `==` comes from a model and the share is
    taken in one expression; a count accumulated over batches and divided later is not. Keras
    `metrics=["accuracy"]` counts only where the file trains or scores something. Rows whose classes
    were sampled down to even sizes before the split are scored fairly by accuracy. A richer metric
    anywhere in the project silences the rule, even if it is computed for another model. On a
    balanced multi-class problem accuracy is a fair headline metric; without evidence of the class
    balance (the counts a notebook printed, a stated positive rate) the finding is P2 at medium
    confidence, and counts printed as balanced silence it: a target named like a
    rare class (churn, fraud) is quoted but does not raise it. It is P1 only when the smallest
    class is under a fifth of the rows; a moderate imbalance (up to 30/70) is P2.
    """

    id = "ML201"
    name = "accuracy-only-metric"
    severity = Severity.P1

    def check(self, module: ModuleAnalysis) -> Iterator[Hit]:
        facts = evaluation(module)
        places = facts.accuracy_metrics
        if not places or facts.rich_metrics or facts.task == "regression" or facts.stated_balanced:
            return  # (accuracy is a fair summary of classes the user says are balanced)
        if any(ev is None for _, ev in places):  # a compiled accuracy is what `evaluate()` returns
            places = places + [(e.call.node, e) for e in facts.evaluations if e.metric == "evaluate" and not (
                len(facts.tasks) > 1 and facts.model_task(e.call.receiver) == "regression")]
        if all(ev is not None and ev.inputs and all(facts.rebalanced(v, REBALANCED) for v in ev.inputs) for _, ev in places):
            return  # scored on rows whose classes were sampled down to even sizes: accuracy is a fair summary of them
        node = next((n for n, ev in places if ev is not None and ev.held_out),
                    next((n for n, ev in places if ev is not None and ev.metric == "evaluate"), places[0][0]))
        related = sorted({(None, n.lineno, "accuracy is also used here") for n, _ in places if n.lineno != node.lineno})
        balance = facts.class_balance
        why = f" ({balance[0]} suggests {facts.rare_phrase})" if balance and balance[1] != "inspected" else \
            " (the class balance is unknown)"
        evidence = bool(balance) and balance[1] == "code"
        severe = evidence and facts.severe_imbalance  # under a fifth of the rows: accuracy misjudges the model
        yield Hit(f"the classifier is judged by accuracy alone{why}; accuracy hides missed positives. Report "
                  "precision, recall, F1 and ROC/PR AUC", node=node, related=related,
                  confidence="high" if evidence else "medium", severity=None if severe else Severity.P2)

    def satisfied(self, module: ModuleAnalysis) -> bool:
        return bool(evaluation(module).rich_metrics)


AccuracyOnlyMetric.invalid = [
    # accuracy computed by hand: the share of predictions equal to the labels
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression().fit(X_train, y_train)
    acc = np.mean(clf.predict(X_test) == y_test)  # ruleid: ML201
    print(acc)
    """,
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    df = pd.read_csv("customer_data.csv")
    X, y = df.drop(columns=["churned"]), df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model = RandomForestClassifier(n_estimators=100).fit(X_train, y_train)
    y_pred = model.predict(X_test)
    print(f"Accuracy: {accuracy_score(y_test, y_pred):.2f}")  # ruleid: ML201
    """,
    # `from sklearn import metrics`, an alias for the splitter, the metric kept in a variable
    """
    import sklearn.model_selection as ms
    from sklearn import metrics
    from sklearn.linear_model import LogisticRegression
    Xtr, Xte, ytr, yte = ms.train_test_split(features, labels, random_state=0)
    clf = LogisticRegression(max_iter=500)
    clf.fit(Xtr, ytr)
    acc = metrics.accuracy_score(yte, clf.predict(Xte))  # ruleid: ML201
    print("test accuracy", acc)
    """,
    # a classifier's .score() is accuracy
    """
    from xgboost import XGBClassifier
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=1)
    fraud_model = XGBClassifier(n_estimators=300)
    fraud_model.fit(X_train, y_train)
    print("score:", fraud_model.score(X_test, y_test))  # ruleid: ML201
    """,
    # Keras: accuracy is the only compiled metric
    """
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])  # ruleid: ML201
    model.fit(X_train, y_train, epochs=10, validation_data=(X_val, y_val))
    """,
    # Keras: the compiled accuracy is what evaluate() returns on the test split
    """
    from tensorflow import keras
    net = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    net.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    net.fit(x_train, y_train, epochs=50)
    loss, acc = net.evaluate(x_test, y_test, verbose=0)  # ruleid: ML201
    """,
    # grid search scored on accuracy, evaluated with accuracy in a helper (one finding, the search is related)
    """
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC
    from sklearn.metrics import accuracy_score as acc

    def evaluate(model, X, y):
        return acc(y, model.predict(X))  # ruleid: ML201

    search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, scoring="accuracy", cv=5)
    search.fit(X_train, y_train)
    print(evaluate(search, X_test, y_test))
    """,
    # PyTorch: a hand-written accuracy helper is the only metric
    """
    import torch

    def accuracy(model, loader):
        correct = total = 0
        for xb, yb in loader:
            correct += ((torch.sigmoid(model(xb)) > 0.5).float() == yb).sum().item()
            total += len(yb)
        return correct / total

    for epoch in range(10):
        train_one_epoch(model, train_loader)
        print(epoch, accuracy(model, test_loader))  # ruleid: ML201
    """,
    # a notebook
    {"spam.ipynb": """
    import pandas as pd
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.metrics import accuracy_score
    # %%
    nb = MultinomialNB().fit(X_train, y_train)
    # %%
    accuracy_score(y_test, nb.predict(X_test))  # ruleid: ML201
    """},
    # training and evaluation in different files; nothing richer anywhere
    {"train.py": """
    import joblib
    from sklearn.ensemble import GradientBoostingClassifier
    joblib.dump(GradientBoostingClassifier().fit(X_train, y_train), "model.joblib")
    """, "evaluate.py": """
    import joblib
    import pandas as pd
    from sklearn.metrics import accuracy_score
    test = pd.read_csv("test.csv")
    model = joblib.load("model.joblib")
    print(accuracy_score(test["defaulted"], model.predict(test.drop(columns="defaulted"))))  # ruleid: ML201
    """},
]

AccuracyOnlyMetric.valid = [
    # a balanced benchmark set read with its own loader: accuracy is a fair summary
    """
    from sklearn.datasets import load_wine
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    grid, kind = load_wine(return_X_y=True)
    g_a, g_b, k_a, k_b = train_test_split(grid, kind, stratify=kind, random_state=0)
    print(accuracy_score(k_b, KNeighborsClassifier().fit(g_a, k_a).predict(g_b)))
    """,
    # accuracy reported beside F1 and ROC AUC
    """
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
    from sklearn.ensemble import RandomForestClassifier
    model = RandomForestClassifier(class_weight="balanced").fit(X_train, y_train)
    pred = model.predict(X_test)
    print(accuracy_score(y_test, pred), f1_score(y_test, pred), roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
    """,
    # classification_report, and Keras compiled with AUC beside accuracy
    """
    from sklearn.metrics import classification_report
    from tensorflow import keras
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["accuracy", keras.metrics.AUC(name="auc")])
    model.fit(X_train, y_train, validation_split=0.2)
    print(classification_report(y_test, (model.predict(X_test) > 0.5).astype(int)))
    """,
    # scoring with several metrics
    """
    from sklearn.model_selection import cross_validate
    res = cross_validate(clf, X, y, cv=5, scoring=["accuracy", "f1", "roc_auc"])
    """,
    # a regressor's .score() is R^2, not accuracy
    """
    from sklearn.ensemble import RandomForestRegressor
    reg = RandomForestRegressor().fit(X_train, y_train)
    print("R2", reg.score(X_test, y_test))
    """,
    # the richer metrics live in another file of the project
    {"train.py": """
    from sklearn.metrics import accuracy_score
    print(accuracy_score(y_val, model.predict(X_val)))
    """, "report.py": """
    from sklearn import metrics
    print(metrics.precision_recall_fscore_support(y_test, model.predict(X_test)))
    """},
    # XGBoost native training watched with AUC
    """
    import xgboost as xgb
    params = {"objective": "binary:logistic", "eval_metric": ["error", "auc"]}
    bst = xgb.train(params, dtrain, num_boost_round=200, evals=[(dvalid, "valid")])
    """,
]
