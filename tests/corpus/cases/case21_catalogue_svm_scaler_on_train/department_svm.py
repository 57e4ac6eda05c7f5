"""Classify catalogue items into departments from their numeric attributes."""
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

ATTRS = ["weight_g", "length_cm", "width_cm", "height_cm", "price", "n_images", "title_len"]


def load_items(path):
    items = pd.read_csv(path)
    items["volume_cm3"] = items["length_cm"] * items["width_cm"] * items["height_cm"]
    items["density"] = items["weight_g"] / items["volume_cm3"].clip(lower=1.0)
    return items


items = load_items("data/catalogue_items.csv")
feats = items[ATTRS + ["volume_cm3", "density"]]
dept = items["department"]

X_tr, X_te, y_tr, y_te = train_test_split(feats, dept, test_size=0.2, stratify=dept, random_state=99)

# model selection by CV on the training split only
cv = StratifiedKFold(5, shuffle=True, random_state=99)
cv_f1 = {
    C: cross_val_score(make_pipeline(StandardScaler(), SVC(C=C)), X_tr, y_tr, cv=cv, scoring="f1_macro").mean()
    for C in (0.3, 1.0, 3.0, 10.0)
}
best_C = max(cv_f1, key=cv_f1.get)
print("CV macro F1 by C:", cv_f1, "-> C =", best_C)

scaler = StandardScaler()
X_tr_s = scaler.fit_transform(X_tr)
X_te_s = scaler.transform(X_te)
svm = SVC(C=best_C, probability=True, random_state=99).fit(X_tr_s, y_tr)
majority = DummyClassifier(strategy="most_frequent").fit(X_tr_s, y_tr)

for name, clf in (("svm", svm), ("majority", majority)):
    pred = clf.predict(X_te_s)
    print(
        name,
        "accuracy", round(accuracy_score(y_te, pred), 3),
        "macro F1", round(f1_score(y_te, pred, average="macro"), 3),
        "ROC AUC (ovr)", round(roc_auc_score(y_te, clf.predict_proba(X_te_s), multi_class="ovr"), 3),
    )
