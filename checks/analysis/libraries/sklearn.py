"""scikit-learn: splits, splitters, cross-validation, transforms (estimator and functional forms),
estimators, pipelines and metrics."""
from wicked_data.checks.analysis.libraries.table import Library, rows

_MS = "sklearn.model_selection."
_PRE = "sklearn.preprocessing."

LIBRARY = Library("sklearn", "scikit-learn", (
    # transforms that learn from the labels they are given (a feature choice, a target encoding):
    # fitted on rows whose folds are then cross-validated, every fold's labels shaped them
    *rows("label_transformer", *(f"sklearn.feature_selection.{c}" for c in (
        "SelectKBest", "SelectPercentile", "SelectFromModel", "RFE", "RFECV", "SequentialFeatureSelector",
        "GenericUnivariateSelect", "SelectFpr", "SelectFdr", "SelectFwe")), "sklearn.preprocessing.TargetEncoder"),
    *rows("split", _MS + "train_test_split", "sklearn.cross_validation.train_test_split"),
    *rows("splitter", *(_MS + c for c in (
        "KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "RepeatedKFold",
        "RepeatedStratifiedKFold", "LeaveOneOut", "LeavePOut", "LeaveOneGroupOut", "LeavePGroupsOut",
        "PredefinedSplit"))),
    *rows("splitter", *(_MS + c for c in ("ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit")),
          shuffles=True),
    *rows("splitter", _MS + "TimeSeriesSplit", temporal=True),
    *rows("cv", *(_MS + c for c in (
        "cross_val_score", "cross_validate", "cross_val_predict", "GridSearchCV", "RandomizedSearchCV",
        "HalvingGridSearchCV", "HalvingRandomSearchCV", "learning_curve", "validation_curve",
        "permutation_test_score")),
        "sklearn.feature_selection.RFECV", "sklearn.linear_model.LogisticRegressionCV", "sklearn.linear_model.RidgeCV",
        "sklearn.linear_model.LassoCV", "sklearn.linear_model.ElasticNetCV", "sklearn.calibration.CalibratedClassifierCV",
        _MS + "TunedThresholdClassifierCV", "skopt.BayesSearchCV"),
    *rows("transformer", *(f"sklearn.decomposition.{c}" for c in (
        "PCA", "KernelPCA", "IncrementalPCA", "TruncatedSVD", "NMF", "FactorAnalysis", "FastICA",
        "LatentDirichletAllocation")),
        *(f"sklearn.feature_selection.{c}" for c in (
            "SelectKBest", "SelectPercentile", "SelectFromModel", "RFE", "VarianceThreshold", "SelectFpr",
            "SelectFdr", "SelectFwe", "GenericUnivariateSelect", "SequentialFeatureSelector")),
        "sklearn.feature_extraction.text.TfidfTransformer", _PRE + "LabelBinarizer", _PRE + "MultiLabelBinarizer",
        "sklearn.kernel_approximation.Nystroem", "sklearn.kernel_approximation.RBFSampler",
        "sklearn.discriminant_analysis.LinearDiscriminantAnalysis", "sklearn.manifold.Isomap",
        "category_encoders.WOEEncoder"),
    # learn nothing from the rows: fitting them on all data is harmless
    *rows("stateless", _PRE + "FunctionTransformer", _PRE + "Normalizer", _PRE + "Binarizer",
          _PRE + "PolynomialFeatures", "sklearn.feature_extraction.text.HashingVectorizer", _PRE + "SplineTransformer",
          "sklearn.compose.ColumnTransformer"),
    # fit and apply in one call, on exactly the rows given (the functional forms of the scalers)
    *rows("functional", *(_PRE + f for f in ("scale", "minmax_scale", "maxabs_scale", "robust_scale",
                                            "quantile_transform", "power_transform"))),
    *rows("pipeline", "sklearn.pipeline.Pipeline", "sklearn.pipeline.make_pipeline"),
    # the model a wrapper fits is the estimator handed to it (positionally or as estimator=/regressor=)
    *rows("wrapper", *(_MS + c for c in ("GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV",
                                        "HalvingRandomSearchCV", "TunedThresholdClassifierCV", "FixedThresholdClassifier")),
          "sklearn.calibration.CalibratedClassifierCV", "sklearn.compose.TransformedTargetRegressor",
          "sklearn.multiclass.OneVsRestClassifier", "sklearn.multiclass.OneVsOneClassifier",
          "sklearn.multioutput.MultiOutputClassifier", "sklearn.multioutput.MultiOutputRegressor",
          "sklearn.multioutput.ClassifierChain", "sklearn.multioutput.RegressorChain", "skopt.BayesSearchCV"),
    *rows("baseline", "sklearn.dummy.DummyClassifier", "sklearn.dummy.DummyRegressor"),
    *rows("column_selector", "sklearn.compose.ColumnTransformer"),
    # one output column per input column, in the same order: the features keep their names and places
    *rows("columnwise", *(_PRE + c for c in ("StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler",
                                             "PowerTransformer", "QuantileTransformer", "Normalizer", "Binarizer")),
          "sklearn.impute.KNNImputer"),
    # learn only which categories exist, no statistic of the rows: fitted on all rows, the leak is a
    # category only the held-out rows hold getting its own column or code
    *rows("vocabulary", *(_PRE + c for c in ("OneHotEncoder", "OrdinalEncoder", "LabelEncoder", "LabelBinarizer",
                                             "MultiLabelBinarizer")),
          "category_encoders.OneHotEncoder", "category_encoders.OrdinalEncoder"),
    # classes of (near) equal size: accuracy is a fair summary there
    *rows("balanced_dataset", "sklearn.datasets.load_iris", "sklearn.datasets.load_wine", "sklearn.datasets.load_digits",
          "sklearn.datasets.make_classification", "sklearn.datasets.make_blobs", "sklearn.datasets.make_moons",
          "sklearn.datasets.make_circles"),
    *rows("classifier", *(f"sklearn.linear_model.{c}" for c in ("LogisticRegression", "Perceptron",
                                                                  "LogisticRegressionCV")),
          *(f"sklearn.svm.{c}" for c in ("SVC", "LinearSVC", "NuSVC")),
          *(f"sklearn.naive_bayes.{c}" for c in ("GaussianNB", "MultinomialNB", "BernoulliNB", "ComplementNB")),
          "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
          "sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis"),
    *rows("regressor", *(f"sklearn.linear_model.{c}" for c in (
        "LinearRegression", "Ridge", "Lasso", "ElasticNet", "BayesianRidge", "ARDRegression", "Lars", "LassoLars",
        "HuberRegressor", "PoissonRegressor", "TweedieRegressor", "GammaRegressor", "QuantileRegressor",
        "RidgeCV", "LassoCV", "ElasticNetCV")),
        *(f"sklearn.svm.{c}" for c in ("SVR", "LinearSVR", "NuSVR")), "sklearn.kernel_ridge.KernelRidge"),
    *rows("metric", *(f"sklearn.metrics.{m}" for m in (
        "precision_score", "recall_score", "f1_score", "fbeta_score", "roc_auc_score", "average_precision_score",
        "classification_report", "precision_recall_curve", "roc_curve", "precision_recall_fscore_support",
        "balanced_accuracy_score", "matthews_corrcoef", "log_loss", "brier_score_loss", "cohen_kappa_score",
        "auc", "RocCurveDisplay", "PrecisionRecallDisplay", "det_curve", "top_k_accuracy_score",
        "confusion_matrix", "ConfusionMatrixDisplay"))),
))

# Estimators whose fit depends on the scale of the features (regularised linear models, SVMs,
# neighbours, networks, k-means): listed by class name, wherever they come from.
SCALE_SENSITIVE = {
    "LogisticRegression", "LogisticRegressionCV", "Ridge", "Lasso", "ElasticNet", "RidgeCV", "LassoCV",
    "ElasticNetCV", "SGDClassifier", "SGDRegressor", "SVC", "SVR", "LinearSVC", "LinearSVR", "NuSVC",
    "NuSVR", "KNeighborsClassifier", "KNeighborsRegressor", "RadiusNeighborsClassifier",
    "RadiusNeighborsRegressor", "MLPClassifier", "MLPRegressor", "KMeans", "Perceptron",
    "RidgeClassifier", "KernelRidge", "PassiveAggressiveClassifier", "HuberRegressor",
}
TREE_PREFIXES = ("RandomForest", "ExtraTrees", "DecisionTree", "GradientBoosting", "HistGradientBoosting",
                 "XGB", "LGBM", "CatBoost", "AdaBoost", "IsolationForest")
# Class-name endings and module paths that make a transformer whatever library it comes from.
TRANSFORMER_SUFFIXES = ("Scaler", "Encoder", "Imputer", "Vectorizer", "Discretizer", "Selector", "Transformer",
                        "Preprocessor", "Featurizer")
TRANSFORMER_MODULES = (".preprocessing.", ".impute.", ".feature_selection.", ".decomposition.",
                       ".feature_extraction.")

CATEGORY_ENCODERS = Library("category_encoders", "category_encoders", (
    *rows("label_transformer", *(f"category_encoders.{c}" for c in (
        "TargetEncoder", "WOEEncoder", "CatBoostEncoder", "LeaveOneOutEncoder", "JamesSteinEncoder",
        "MEstimateEncoder", "GLMMEncoder", "QuantileEncoder"))),
))
