"""python predict_attrition.py --employee '{"age": 41, ...}'  -> attrition probability"""
import argparse
import json

import numpy as np
import xgboost as xgb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employee", required=True, help="JSON object with the employee's fields")
    parser.add_argument("--model", default="artifacts/attrition.json")
    args = parser.parse_args()

    employee = json.loads(args.employee)
    booster = xgb.Booster()
    booster.load_model(args.model)
    row = np.array([[employee["age"], employee["years_at_company"], employee["monthly_income"],
                     employee["overtime_hours"], employee["promotions_5y"], employee["satisfaction_score"]]])
    income_per_year = employee["monthly_income"] * 12 / max(employee["years_at_company"], 1)
    probability = float(booster.predict(xgb.DMatrix(row))[0])
    print(json.dumps({"attrition_probability": probability, "income_per_tenure_year": income_per_year}))


if __name__ == "__main__":
    main()
