"""Report step: sends the score distribution of the pipeline's own held-out table to the tracker."""
import mlflow


def chart_holdout(classifier, holdout_table, fitting_table):
    features = holdout_table.drop(columns=["churned"])
    scores = classifier.predict_proba(features)[:, 1]
    mlflow.log_metric("holdout_rows", len(features))
    mlflow.log_metric("fitting_rows", len(fitting_table))
    mlflow.log_metric("mean_score", float(scores.mean()))
    return classifier
