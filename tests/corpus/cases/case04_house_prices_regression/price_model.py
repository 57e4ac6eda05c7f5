"""Sale-price regression with a hold-out set that is touched once, at the end."""
import numpy as np
import pandas as pd
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold, cross_val_score, train_test_split

FEATURES = ["TotalSF", "Age", "RemodAge", "OverallQual", "GarageCars", "LotArea", "HasPool", "HasAlley"]


def load_frame(path):
    frame = pd.read_csv(path)
    frame = frame[frame["GrLivArea"] < 4500]  # the documented partial-sale outliers
    # NA in these columns means "the house has none", not "unknown"
    frame = frame.fillna({"PoolQC": "None", "Alley": "None", "GarageCars": 0, "TotalBsmtSF": 0})
    frame["TotalSF"] = frame["TotalBsmtSF"] + frame["1stFlrSF"] + frame["2ndFlrSF"]
    frame["Age"] = frame["YrSold"] - frame["YearBuilt"]
    frame["RemodAge"] = frame["YrSold"] - frame["YearRemodAdd"]
    frame["HasPool"] = (frame["PoolQC"] != "None").astype(int)
    frame["HasAlley"] = (frame["Alley"] != "None").astype(int)
    return frame


def main():
    frame = load_frame("data/house_sales.csv")
    X = frame[FEATURES]
    y = np.log1p(frame["SalePrice"])
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

    model = HistGradientBoostingRegressor(max_iter=500, learning_rate=0.05, random_state=42)
    cv = KFold(n_splits=5, shuffle=True, random_state=42)
    cv_mae = -cross_val_score(model, X_train, y_train, cv=cv, scoring="neg_mean_absolute_error")
    print(f"CV MAE (log price): {cv_mae.mean():.4f} +/- {cv_mae.std():.4f}")

    model.fit(X_train, y_train)
    baseline = DummyRegressor(strategy="median").fit(X_train, y_train)
    for name, est in [("model", model), ("median baseline", baseline)]:
        print(
            name,
            "train MAE", round(mean_absolute_error(y_train, est.predict(X_train)), 4),
            "test MAE", round(mean_absolute_error(y_test, est.predict(X_test)), 4),
            "test R2", round(r2_score(y_test, est.predict(X_test)), 4),
        )


if __name__ == "__main__":
    main()
