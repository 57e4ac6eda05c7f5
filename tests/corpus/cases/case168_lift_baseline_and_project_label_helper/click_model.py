"""Click-through model with a top-decile lift report."""
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

from prep import target_encode

impressions = pd.read_parquet("impressions.parquet")
impressions = target_encode(impressions, "outcome")
inputs = impressions[["hour", "slot", "device_type", "bid"]]
X_train, X_test, y_train, y_test = train_test_split(inputs, impressions["outcome"], test_size=0.25,
                                                    stratify=impressions["outcome"], random_state=8)
booster = HistGradientBoostingClassifier(random_state=8).fit(X_train, y_train)
scores = booster.predict_proba(X_test)[:, 1]
print("average precision", average_precision_score(y_test, scores))
base_rate = y_test.mean()
top_decile = scores >= np.percentile(scores, 90)
lift = (y_test[top_decile].mean() - base_rate) / base_rate * 100
print(f"top-decile lift {lift:.1f}%")
