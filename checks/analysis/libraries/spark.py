"""PySpark and pyspark.ml: the frame's random split, estimators and transformers fitted on a
DataFrame (`StandardScaler(...).fit(df)`), writers."""
from wicked_data.checks.analysis.libraries.table import Library, rows

_FEAT = "pyspark.ml.feature."

LIBRARY = Library("pyspark", "Spark DataFrames and pyspark.ml pipelines", (
    *rows("split_method", "randomSplit", shuffles=True),
    *rows("transformer", *(_FEAT + c for c in (
        "StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Imputer", "StringIndexer",
        "OneHotEncoder", "PCA", "ChiSqSelector", "UnivariateFeatureSelector", "VarianceThresholdSelector",
        "QuantileDiscretizer", "CountVectorizer", "IDF", "Word2Vec", "TargetEncoder"))),
    *rows("stateless", *(_FEAT + c for c in (
        "VectorAssembler", "Tokenizer", "RegexTokenizer", "HashingTF", "Bucketizer", "Binarizer",
        "PolynomialExpansion", "SQLTransformer", "Normalizer", "StopWordsRemover", "NGram", "Interaction"))),
    *rows("vocabulary", _FEAT + "StringIndexer", _FEAT + "OneHotEncoder"),
    *rows("pipeline", "pyspark.ml.Pipeline"),
    *rows("cv", "pyspark.ml.tuning.CrossValidator"),
    # the model a tuning run keeps is the `estimator=` it was handed
    *rows("wrapper", "pyspark.ml.tuning.CrossValidator", "pyspark.ml.tuning.TrainValidationSplit"),
    *rows("classifier", *(f"pyspark.ml.classification.{c}" for c in (
        "LogisticRegression", "RandomForestClassifier", "GBTClassifier", "DecisionTreeClassifier",
        "LinearSVC", "NaiveBayes", "MultilayerPerceptronClassifier"))),
    *rows("regressor", *(f"pyspark.ml.regression.{c}" for c in (
        "LinearRegression", "RandomForestRegressor", "GBTRegressor", "DecisionTreeRegressor",
        "GeneralizedLinearRegression"))),
    *rows("write_method", "saveAsTable", "insertInto", "parquet", "csv", "save"),
), modelled="partial",
    unseen="TrainValidationSplit and column expressions (F.col, withColumn over windows) are not traced; "
           "a Pipeline's stages are not followed into its fit")
