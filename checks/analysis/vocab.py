"""What the analysis knows about ML libraries: which callables are splitters, transformers,
resamplers, estimators, metrics, clocks. Names are fully qualified; unresolved spellings match
by their tail (see `names.Candidates`)."""
from __future__ import annotations

from checks.analysis.names import last

# Calls that read the wall clock.
NOW_CALLS = (
    "pandas.Timestamp.now", "pandas.Timestamp.today", "pandas.Timestamp.utcnow",
    "pandas.datetime.now", "pandas.datetime.today",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "time.time", "time.time_ns", "time.localtime", "time.gmtime",
    "arrow.now", "arrow.utcnow", "pendulum.now", "pendulum.today", "django.utils.timezone.now",
)
# Calls that read the clock only when given a 'now'/'today' string.
NOW_STRING_CALLS = ("pandas.Timestamp", "pandas.to_datetime", "numpy.datetime64", "pandas.Timestamp.fromisoformat")
NOW_STRINGS = ("now", "today")

SPLIT_FUNCS = ("sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split")
RANDOM_SPLIT_FUNCS = ("torch.utils.data.random_split",)
SPLITTER_CLASSES = {
    "KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "ShuffleSplit",
    "StratifiedShuffleSplit", "GroupShuffleSplit", "RepeatedKFold", "RepeatedStratifiedKFold",
    "TimeSeriesSplit", "LeaveOneOut", "LeavePOut", "LeaveOneGroupOut", "LeavePGroupsOut",
    "PredefinedSplit",
}
SHUFFLED_SPLITTERS = {"ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit"}
TEMPORAL_SPLITTERS = {"TimeSeriesSplit"}
CV_FUNCS = {
    "cross_val_score", "cross_validate", "cross_val_predict", "GridSearchCV", "RandomizedSearchCV",
    "HalvingGridSearchCV", "HalvingRandomSearchCV", "learning_curve", "validation_curve",
    "permutation_test_score", "RFECV", "LogisticRegressionCV", "RidgeCV", "LassoCV", "ElasticNetCV",
    "CalibratedClassifierCV", "TunedThresholdClassifierCV", "BayesSearchCV",
}
CV_EVAL_FUNCS = {"cross_val_score", "cross_validate", "cross_val_predict", "learning_curve", "validation_curve",
                 "permutation_test_score"}
NATIVE_CV_FUNCS = ("xgboost.cv", "lightgbm.cv", "catboost.cv", "optuna.integration.OptunaSearchCV")

TRANSFORMER_SUFFIXES = ("Scaler", "Encoder", "Imputer", "Vectorizer", "Discretizer", "Selector", "Transformer",
                        "Preprocessor", "Featurizer")
TRANSFORMER_NAMES = {
    "PCA", "KernelPCA", "IncrementalPCA", "TruncatedSVD", "NMF", "FactorAnalysis", "FastICA",
    "LatentDirichletAllocation", "SelectKBest", "SelectPercentile", "SelectFromModel", "RFE",
    "VarianceThreshold", "SelectFpr", "SelectFdr", "SelectFwe", "GenericUnivariateSelect",
    "SequentialFeatureSelector", "TfidfTransformer", "LabelBinarizer", "MultiLabelBinarizer",
    "Nystroem", "RBFSampler", "LinearDiscriminantAnalysis", "Isomap", "WOEEncoder",
}
# Transformers that learn nothing from the data, so fitting them anywhere is harmless.
STATELESS_TRANSFORMERS = {
    "FunctionTransformer", "Normalizer", "Binarizer", "PolynomialFeatures", "HashingVectorizer",
    "SplineTransformer", "ColumnTransformer",
}
RESAMPLER_NAMES = {
    "SMOTE", "ADASYN", "BorderlineSMOTE", "SVMSMOTE", "KMeansSMOTE", "SMOTENC", "SMOTEN",
    "RandomOverSampler", "SMOTEENN", "SMOTETomek",
}
UNDERSAMPLER_NAMES = {"RandomUnderSampler", "NearMiss", "TomekLinks", "ClusterCentroids", "EditedNearestNeighbours"}
PIPELINE_NAMES = {"Pipeline", "make_pipeline"}

CLASSIFIER_NAMES = {
    "LogisticRegression", "SVC", "LinearSVC", "NuSVC", "GaussianNB", "MultinomialNB", "BernoulliNB",
    "ComplementNB", "Perceptron", "LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis",
    "LogisticRegressionCV",
}
REGRESSOR_NAMES = {
    "LinearRegression", "Ridge", "Lasso", "ElasticNet", "SVR", "LinearSVR", "NuSVR", "BayesianRidge",
    "ARDRegression", "Lars", "LassoLars", "HuberRegressor", "PoissonRegressor", "TweedieRegressor",
    "GammaRegressor", "QuantileRegressor", "RidgeCV", "LassoCV", "ElasticNetCV", "KernelRidge",
}
SCALE_SENSITIVE = {
    "LogisticRegression", "LogisticRegressionCV", "Ridge", "Lasso", "ElasticNet", "RidgeCV", "LassoCV",
    "ElasticNetCV", "SGDClassifier", "SGDRegressor", "SVC", "SVR", "LinearSVC", "LinearSVR", "NuSVC",
    "NuSVR", "KNeighborsClassifier", "KNeighborsRegressor", "RadiusNeighborsClassifier",
    "RadiusNeighborsRegressor", "MLPClassifier", "MLPRegressor", "KMeans", "Perceptron",
    "RidgeClassifier", "KernelRidge", "PassiveAggressiveClassifier", "HuberRegressor",
}
TREE_PREFIXES = ("RandomForest", "ExtraTrees", "DecisionTree", "GradientBoosting", "HistGradientBoosting",
                 "XGB", "LGBM", "CatBoost", "AdaBoost", "IsolationForest")

FIT_METHODS = {"fit", "fit_transform", "fit_resample", "partial_fit", "fit_predict"}
PREDICT_METHODS = {"predict", "predict_proba", "decision_function", "predict_log_proba"}
NATIVE_TRAIN_FUNCS = ("xgboost.train", "lightgbm.train", "catboost.train")

RICH_METRICS = {
    "precision_score", "recall_score", "f1_score", "fbeta_score", "roc_auc_score", "average_precision_score",
    "classification_report", "precision_recall_curve", "roc_curve", "precision_recall_fscore_support",
    "balanced_accuracy_score", "matthews_corrcoef", "log_loss", "brier_score_loss", "cohen_kappa_score",
    "auc", "RocCurveDisplay", "PrecisionRecallDisplay", "det_curve", "top_k_accuracy_score",
    "confusion_matrix", "ConfusionMatrixDisplay", "AUROC", "F1Score", "Precision", "Recall", "AUC",
    "BinaryF1Score", "BinaryAUROC",
}
RICH_METRIC_STRINGS = {
    "f1", "roc_auc", "precision", "recall", "average_precision", "auc", "aucpr", "pr_auc", "f1_macro",
    "f1_weighted", "balanced_accuracy", "logloss", "binary_logloss", "neg_log_loss", "auc_mu",
}
ACCURACY_METRICS = {"accuracy_score"}
METRIC_MODULES = ("sklearn.metrics", "torchmetrics", "keras.metrics", "tensorflow.keras.metrics")

MODEL_SAVE_CALLS = (
    "pickle.dump", "joblib.dump", "torch.save", "cloudpickle.dump", "dill.dump", "sklearn.externals.joblib.dump",
    "mlflow.sklearn.log_model", "mlflow.pyfunc.log_model", "skops.io.dump",
)
MODEL_SAVE_METHODS = {"save_model", "save", "save_pretrained", "to_pickle"}
# Keyword arguments that hand a model rows to evaluate on while it trains (early stopping, checkpoints).
EVAL_SET_KWARGS = ("eval_set", "validation_data", "valid_sets", "eval_sets", "evals", "val_dataloaders",
                   "eval_dataset")
# What hands data to another program or file: pandas/polars/Spark writers, array and object dumps.
DATA_WRITE_METHODS = {"to_csv", "to_parquet", "to_pickle", "to_json", "to_excel", "to_feather", "to_sql", "to_hdf",
                      "to_orc", "write_csv", "write_parquet", "write_ipc", "write_json", "write_database", "save",
                      "saveAsTable", "insertInto", "parquet", "csv", "sink_parquet", "sink_csv"}
DATA_WRITE_CALLS = ("numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt", "joblib.dump",
                    "pickle.dump", "torch.save", "cloudpickle.dump")


def tail(name: str | None) -> str:
    return last(name)


def is_transformer(name: str | None) -> bool:
    short = last(name)
    if short in STATELESS_TRANSFORMERS:
        return False
    return short in TRANSFORMER_NAMES or short.endswith(TRANSFORMER_SUFFIXES) or (
        bool(name) and (".preprocessing." in name or ".impute." in name or ".feature_selection." in name
                        or ".decomposition." in name or ".feature_extraction." in name
                        or name.startswith("category_encoders."))
    )


def is_resampler(name: str | None) -> bool:
    return last(name) in RESAMPLER_NAMES


def is_classifier(name: str | None) -> bool:
    short = last(name)
    return short.endswith("Classifier") or short in CLASSIFIER_NAMES


def is_regressor(name: str | None) -> bool:
    short = last(name)
    return (short.endswith("Regressor") or short in REGRESSOR_NAMES) and not is_classifier(name)


def is_estimator(name: str | None) -> bool:
    short = last(name)
    return is_classifier(name) or is_regressor(name) or short.startswith(TREE_PREFIXES) or short in SCALE_SENSITIVE


def is_tree(name: str | None) -> bool:
    return last(name).startswith(TREE_PREFIXES)
