"""The same cut, but the part the trees stop on is also the part the error is reported on."""
import pandas as pd
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from xgboost import XGBRegressor


def carve(table, answer, seed=11):
    keep_x, spare_x, keep_y, spare_y = train_test_split(table, answer, test_size=0.4, random_state=seed)
    final_x, stop_x, final_y, stop_y = train_test_split(spare_x, spare_y, test_size=0.5, random_state=seed)
    return keep_x, stop_x, final_x, keep_y, stop_y, final_y


def run(path):
    flats = pd.read_csv(path)
    table, answer = flats.drop(columns=["rent"]), flats["rent"]
    u, v, w, p, q, r = carve(table, answer)
    trees = XGBRegressor(n_estimators=600, learning_rate=0.05, early_stopping_rounds=40, random_state=3)
    trees.fit(u, p, eval_set=[(v, q)], verbose=False)
    print("median rent:", p.median())
    print("held-out MAE:", mean_absolute_error(q, trees.predict(v)))


if __name__ == "__main__":
    run("flats.csv")
