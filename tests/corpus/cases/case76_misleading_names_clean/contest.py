"""Wine cultivar classifier for a student contest; the variable names are the author's own."""
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

wine = load_wine(as_frame=True)
contest_rows = wine.frame
constrained = contest_rows.drop(columns=["target"])
latest = contest_rows["target"]
X_test, X_train, y_test, y_train = train_test_split(constrained, latest, test_size=0.7, stratify=latest, random_state=1)
values = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
print(cross_val_score(values, X_test, y_test, cv=5, scoring="f1_macro").mean())
values.fit(X_test, y_test)
print(classification_report(y_train, values.predict(X_train)))
