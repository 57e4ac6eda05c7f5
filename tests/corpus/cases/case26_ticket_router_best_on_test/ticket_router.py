"""Route support tickets to a team: compare a few text models and keep the best."""
import joblib
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import make_pipeline

tickets = pd.read_csv("data/tickets.csv")
tickets["text"] = tickets["subject"].fillna("") + "\n" + tickets["body"].fillna("")
train_df, test_df = train_test_split(tickets, test_size=0.2, stratify=tickets["team"], random_state=2)

candidates = {
    "majority": DummyClassifier(strategy="most_frequent"),
    "nb": make_pipeline(TfidfVectorizer(min_df=2), ComplementNB()),
    "logreg": make_pipeline(TfidfVectorizer(min_df=2, ngram_range=(1, 2)), LogisticRegression(max_iter=2000, C=3.0)),
    "sgd": make_pipeline(TfidfVectorizer(sublinear_tf=True), SGDClassifier(loss="modified_huber", random_state=2)),
}
scores = {}
for name, model in candidates.items():
    model.fit(train_df["text"], train_df["team"])
    scores[name] = f1_score(test_df["team"], model.predict(test_df["text"]), average="macro")
    print(f"{name:10s} macro F1 on test: {scores[name]:.3f}")

best = max(scores, key=scores.get)
print("shipping", best, "with test macro F1", round(scores[best], 3))
joblib.dump(candidates[best], "models/ticket_router.joblib")
