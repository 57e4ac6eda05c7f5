import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import RobustScaler

PCA_COLS = [f"V{i}" for i in range(1, 29)]


def load(path="data/card_transactions.parquet"):
    tx = pd.read_parquet(path)
    tx["log_amount"] = np.log1p(tx["Amount"])
    return tx


tx = load()
features = tx[PCA_COLS + ["log_amount"]]
labels = tx["Class"]

scaler = RobustScaler()
features_scaled = scaler.fit_transform(features)

# fraud is ~0.2% of rows: balance the classes before training
smote = SMOTE(random_state=7)
X_bal, y_bal = smote.fit_resample(features_scaled, labels)
print("after SMOTE:", np.bincount(y_bal))

X_tr, X_te, y_tr, y_te = train_test_split(X_bal, y_bal, test_size=0.2, stratify=y_bal, random_state=7)

forest = RandomForestClassifier(n_estimators=400, n_jobs=-1, random_state=7)
forest.fit(X_tr, y_tr)

flags = forest.predict(X_te)

print(classification_report(y_te, flags, digits=4))
print("ROC AUC:", roc_auc_score(y_te, forest.predict_proba(X_te)[:, 1]))
