"""cuML: scikit-learn's API on the GPU, under its own module names."""
from wicked_data.checks.analysis.libraries.table import Library, rows

LIBRARY = Library("cuml", "cuML estimators and splits", (
    *rows("split", "cuml.model_selection.train_test_split", "cuml.preprocessing.model_selection.train_test_split",
          "cuml.train_test_split"),
    *rows("splitter", "cuml.model_selection.KFold", "cuml.model_selection.StratifiedKFold"),
    *rows("transformer", "cuml.preprocessing.StandardScaler", "cuml.preprocessing.MinMaxScaler",
          "cuml.preprocessing.SimpleImputer", "cuml.preprocessing.LabelEncoder", "cuml.decomposition.PCA",
          "cuml.decomposition.TruncatedSVD"),
    *rows("classifier", "cuml.ensemble.RandomForestClassifier", "cuml.linear_model.LogisticRegression",
          "cuml.svm.SVC", "cuml.neighbors.KNeighborsClassifier"),
    *rows("regressor", "cuml.ensemble.RandomForestRegressor", "cuml.linear_model.LinearRegression",
          "cuml.linear_model.Ridge", "cuml.linear_model.Lasso"),
))
