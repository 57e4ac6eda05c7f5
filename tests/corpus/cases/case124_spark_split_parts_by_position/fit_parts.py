"""Subscriber churn in Spark: the pipeline learns on the first part of a random split."""
from pyspark.ml import Pipeline
from pyspark.ml.classification import GBTClassifier
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, StringIndexer, VectorAssembler
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("churn").getOrCreate()
subs = spark.read.parquet("s3://lake/subscribers/")
halves = subs.randomSplit([0.85, 0.15], seed=21)
stages = [
    StringIndexer(inputCol="plan", outputCol="plan_ix"),
    VectorAssembler(inputCols=["plan_ix", "minutes", "dropped_calls"], outputCol="raw"),
    StandardScaler(inputCol="raw", outputCol="features"),
    GBTClassifier(labelCol="left", featuresCol="features", seed=21),
]
model = Pipeline(stages=stages).fit(halves[0])
scored = model.transform(halves[1])
print(BinaryClassificationEvaluator(labelCol="left", metricName="areaUnderPR").evaluate(scored))
