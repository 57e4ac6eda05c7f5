import numpy as np
import xgboost as xgb
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

grid = np.load("sensor_windows.npy")
fault = np.load("fault_flags.npy")
g_fit, g_final, f_fit, f_final = train_test_split(grid, fault, test_size=0.2, stratify=fault, random_state=5)
g_tr, g_stop, f_tr, f_stop = train_test_split(g_fit, f_fit, test_size=0.2, stratify=f_fit, random_state=5)

bst = xgb.train({"objective": "binary:logistic", "eval_metric": "aucpr", "scale_pos_weight": 30},
                xgb.DMatrix(g_tr, label=f_tr), 3000,
                evals=[(xgb.DMatrix(g_stop, label=f_stop), "stop")], early_stopping_rounds=100)
scores = bst.predict(xgb.DMatrix(g_final), iteration_range=(0, bst.best_iteration + 1))
prior = DummyClassifier(strategy="prior").fit(g_fit, f_fit)
print("model", roc_auc_score(f_final, scores), "prior", roc_auc_score(f_final, prior.predict_proba(g_final)[:, 1]))
print("cv", cross_val_score(xgb.XGBClassifier(scale_pos_weight=30), g_fit, f_fit, cv=StratifiedKFold(5), scoring="roc_auc"))
