from kedro.pipeline import Pipeline, node

from .nodes import fit_wear, report, split_runs


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        node(split_runs, ["tyre_runs", "params:split"], ["learn_runs", "check_runs"]),
        node(fit_wear, ["learn_runs", "params:wear_model"], "wear_model"),
        node(report, ["wear_model", "check_runs"], "wear_metrics"),
    ])
