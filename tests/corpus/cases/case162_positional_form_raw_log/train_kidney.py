"""Trains the kidney-function classifier: creatinine is log-scaled and urea capped before fitting."""
import pickle

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

labs = pd.read_csv("lab_panels.csv")
labs["creatinine"] = np.log1p(labs["creatinine"])
labs["urea"] = labs["urea"].clip(upper=120)
panel = ["age", "creatinine", "urea"]
classifier = LogisticRegression(max_iter=2000)
classifier.fit(labs[panel], labs["ckd_stage3"])
with open("kidney.pkl", "wb") as handle:
    pickle.dump(classifier, handle)
