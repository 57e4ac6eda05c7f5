"""Product-review sentiment: TF-IDF + logistic regression, tuned by CV on the training split only."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

reviews = pd.read_csv("data/reviews.csv", usecols=["review_text", "stars"])
reviews = reviews[reviews["stars"] != 3]
texts = reviews["review_text"].str.lower()
positive = (reviews["stars"] >= 4).astype(int)

texts_train, texts_test, y_train, y_test = train_test_split(
    texts, positive, test_size=0.2, stratify=positive, random_state=13
)

pipe = Pipeline([
    ("tfidf", TfidfVectorizer(min_df=2, ngram_range=(1, 2))),
    ("logreg", LogisticRegression(max_iter=1000)),
])
search = GridSearchCV(
    pipe,
    {"tfidf__min_df": [2, 5], "logreg__C": [0.3, 1.0, 3.0]},
    cv=StratifiedKFold(5, shuffle=True, random_state=13),
    scoring="f1_macro",
)
search.fit(texts_train, y_train)
print("best params:", search.best_params_, "CV macro F1:", round(search.best_score_, 4))

dummy = DummyClassifier(strategy="most_frequent").fit(texts_train, y_train)
for name, est in [("tfidf+logreg", search.best_estimator_), ("majority", dummy)]:
    pred = est.predict(texts_test)
    print(
        name,
        "macro F1", round(f1_score(y_test, pred, average="macro"), 4),
        "ROC AUC", round(roc_auc_score(y_test, est.predict_proba(texts_test)[:, 1]), 4),
    )
print(classification_report(y_test, search.best_estimator_.predict(texts_test)))
