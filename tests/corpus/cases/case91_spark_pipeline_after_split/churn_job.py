from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("subscriber-churn").getOrCreate()
subs = spark.read.parquet("subscribers.parquet")
part_a, part_b = subs.randomSplit([0.8, 0.2], seed=17)
steps = Pipeline(stages=[
    VectorAssembler(inputCols=["tenure", "monthly_fee", "tickets_90d"], outputCol="raw"),
    StandardScaler(inputCol="raw", outputCol="features", withMean=True),
    LogisticRegression(labelCol="left", featuresCol="features", weightCol="w"),
])
judge = BinaryClassificationEvaluator(labelCol="left", metricName="areaUnderPR")
grid = ParamGridBuilder().build()
tuned = CrossValidator(estimator=steps, estimatorParamMaps=grid, evaluator=judge, numFolds=5).fit(part_a)
print(judge.evaluate(tuned.transform(part_b)))
