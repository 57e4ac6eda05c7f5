from kedro.pipeline import Pipeline, node, pipeline

from .nodes import chart_holdout


def create_pipeline(**kwargs) -> Pipeline:
    return pipeline([
        node(func=chart_holdout, inputs=["classifier", "holdout_table", "fitting_table"], outputs="report_metrics",
             name="chart_holdout"),
    ])
