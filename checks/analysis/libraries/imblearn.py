"""imbalanced-learn: over- and undersamplers."""
from wicked_data.checks.analysis.libraries.table import Library, rows

_OVER = "imblearn.over_sampling."
_UNDER = "imblearn.under_sampling."

LIBRARY = Library("imblearn", "imbalanced-learn", (
    *rows("resampler", *(_OVER + c for c in ("SMOTE", "ADASYN", "BorderlineSMOTE", "SVMSMOTE", "KMeansSMOTE",
                                             "SMOTENC", "SMOTEN", "RandomOverSampler")),
          "imblearn.combine.SMOTEENN", "imblearn.combine.SMOTETomek"),
    *rows("undersampler", *(_UNDER + c for c in ("RandomUnderSampler", "NearMiss", "TomekLinks",
                                                 "ClusterCentroids", "EditedNearestNeighbours"))),
    *rows("pipeline", "imblearn.pipeline.Pipeline", "imblearn.pipeline.make_pipeline"),
))
