import lightgbm as lgb
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

claims = pd.read_parquet("claims.parquet")
features = claims.drop(columns=["claim_id", "is_fraud"])
outcome = claims["is_fraud"]
p_tr, p_ho, q_tr, q_ho = train_test_split(features, outcome, test_size=0.25, stratify=outcome, random_state=11)

booster = lgb.train(
    {"objective": "binary", "learning_rate": 0.05, "scale_pos_weight": 12},
    lgb.Dataset(p_tr, label=q_tr),
    num_boost_round=2000,
    valid_sets=[lgb.Dataset(p_ho, label=q_ho)],
    callbacks=[lgb.early_stopping(50)],
)
print("held-out AUC", roc_auc_score(q_ho, booster.predict(p_ho, num_iteration=booster.best_iteration)))
