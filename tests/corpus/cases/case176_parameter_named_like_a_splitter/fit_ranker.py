import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.metrics import average_precision_score

from season_folds import SeasonFolds


def cross_check(table, n_splits=4, KFold=SeasonFolds):
    splitter = KFold(n_splits=n_splits)
    inputs, answer = table.drop(columns=["renewed"]), table["renewed"]
    results = []
    for fit_at, hold_at in splitter.split(table, answer):
        ranker = LGBMClassifier(n_estimators=300, random_state=7)
        ranker.fit(inputs.iloc[fit_at], answer.iloc[fit_at])
        scored = ranker.predict_proba(inputs.iloc[hold_at])[:, 1]
        results.append(average_precision_score(answer.iloc[hold_at], scored))
    return results


if __name__ == "__main__":
    print(cross_check(pd.read_parquet("memberships.parquet")))
