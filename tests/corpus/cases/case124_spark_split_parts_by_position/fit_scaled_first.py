"""The same churn model, with the scaler fitted on every subscriber before the split."""
from pyspark.ml.classification import GBTClassifier
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("churn").getOrCreate()
subs = spark.read.parquet("s3://lake/subscribers/")
subs = VectorAssembler(inputCols=["minutes", "dropped_calls"], outputCol="raw").transform(subs)
subs = StandardScaler(inputCol="raw", outputCol="features").fit(subs).transform(subs)
halves = subs.randomSplit([0.85, 0.15], seed=21)
model = GBTClassifier(labelCol="left", featuresCol="features", seed=21).fit(halves[0])
print(BinaryClassificationEvaluator(labelCol="left", metricName="areaUnderPR").evaluate(model.transform(halves[1])))
