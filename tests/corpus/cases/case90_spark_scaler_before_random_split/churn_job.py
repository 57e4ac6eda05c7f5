from pyspark.ml.classification import GBTClassifier
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("subscriber-churn").getOrCreate()
subs = spark.read.parquet("subscribers.parquet")
packed = VectorAssembler(inputCols=["tenure", "monthly_fee", "tickets_90d"], outputCol="raw").transform(subs)
scaled = StandardScaler(inputCol="raw", outputCol="features", withMean=True).fit(packed).transform(packed)
part_a, part_b = scaled.randomSplit([0.8, 0.2])
gbt = GBTClassifier(labelCol="left", featuresCol="features").fit(part_a)
print(BinaryClassificationEvaluator(labelCol="left", metricName="areaUnderPR").evaluate(gbt.transform(part_b)))
