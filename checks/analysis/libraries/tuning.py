"""Hyperparameter optimisers that minimise an objective function over trials: Optuna, Hyperopt,
scikit-optimize, bayes_opt. What the objective scores is what the trials are ranked on."""
from wicked_data.checks.analysis.libraries.table import Library, rows

OPTUNA = Library("optuna", "Optuna", (
    # `optuna.create_study(...)` makes the study whose `.optimize(objective)` runs the trials
    *rows("study", "optuna.create_study", "optuna.load_study"),
))
HYPEROPT = Library("hyperopt", "Hyperopt", (
    *rows("objective_search", "hyperopt.fmin"),
))
SKOPT = Library("skopt", "scikit-optimize", (
    *rows("objective_search", "skopt.gp_minimize", "skopt.forest_minimize", "skopt.gbrt_minimize",
          "skopt.dummy_minimize"),
))
BAYES_OPT = Library("bayes_opt", "bayes_opt", (
    *rows("objective_search", "bayes_opt.BayesianOptimization"),
))
