"""Compare three loan-default classifiers on the frozen validation file, and draw a booster's
learning curve for the write-up."""
import matplotlib.pyplot as plt
import pandas as pd
import xgboost as xgb
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score, recall_score
from sklearn.model_selection import train_test_split

seen = pd.read_csv("data/train_balanced.csv", index_col=0)
seen_y = seen.pop("defaulted")
fresh = pd.read_csv("data/validation.csv", index_col=0)
fresh_y = fresh.pop("defaulted")


def side_by_side(seen_y, seen_pred, fresh_y, fresh_pred):
    """Print the fitted rows' report next to the fresh rows' one; hand back the fresh one."""
    print(classification_report(seen_y, seen_pred))
    print(classification_report(fresh_y, fresh_pred))
    return classification_report(fresh_y, fresh_pred, output_dict=True)


names = []
f1_score = []
recall_score = []
for name, candidate in [("base", DummyClassifier(strategy="stratified", random_state=5)),
                        ("logit", LogisticRegression(max_iter=2000, class_weight="balanced")),
                        ("trees", ExtraTreesClassifier(n_estimators=300, class_weight="balanced", random_state=5))]:
    candidate.fit(seen, seen_y)
    seen_pred = candidate.predict(seen)
    fresh_pred = candidate.predict(fresh)
    report = side_by_side(seen_y, seen_pred, fresh_y, fresh_pred)
    names.append(name)
    f1_score.append(report["1"]["f1-score"])
    recall_score.append(report["1"]["recall"])
print(pd.DataFrame({"f1": f1_score, "recall": recall_score}, index=names))

a, b, a_y, b_y = train_test_split(seen, seen_y, test_size=0.2, stratify=seen_y, random_state=5)
curves = {}
booster = xgb.train({"objective": "binary:logistic", "eta": 0.05, "max_depth": 4},
                    xgb.DMatrix(a, label=a_y), num_boost_round=2000,
                    evals=[(xgb.DMatrix(a, label=a_y), "fit"), (xgb.DMatrix(b, label=b_y), "held")],
                    early_stopping_rounds=50, evals_result=curves, verbose_eval=False)
plt.plot(curves["fit"]["logloss"], label="fit")
plt.plot(curves["held"]["logloss"], label="held")
plt.legend()
plt.savefig("booster_curve.png")
