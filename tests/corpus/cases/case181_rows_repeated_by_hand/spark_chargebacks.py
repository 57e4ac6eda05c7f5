"""Chargeback model on Spark: the rare disputed payments are copied until the classes are even."""
from pyspark.ml.classification import GBTClassifier
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("chargebacks").getOrCreate()
payments = spark.read.parquet("s3://risk/payments/2024/")
disputed = payments.where(F.col("disputed") == 1)
settled = payments.where(F.col("disputed") == 0)
times = int(settled.count() / disputed.count())
copied = disputed.withColumn("k", F.explode(F.array([F.lit(n) for n in range(times)]))).drop("k")
even = settled.unionByName(copied)
assembled = VectorAssembler(inputCols=["amount", "merchant_risk", "hour"], outputCol="features").transform(even)
fit_part, check_part = assembled.randomSplit([0.8, 0.2], seed=17)
booster = GBTClassifier(labelCol="disputed", maxIter=60).fit(fit_part)
print(BinaryClassificationEvaluator(labelCol="disputed").evaluate(booster.transform(check_part)))
