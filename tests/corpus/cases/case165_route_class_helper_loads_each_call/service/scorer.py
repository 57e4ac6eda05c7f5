"""Scores one applicant row with the stored encoder and classifier."""
import pandas as pd

from service.artifacts import read_artifact


class ApplicantScorer:
    def rate(self, applicant: pd.DataFrame):
        encoder = read_artifact("artifacts/encoder.pkl")
        classifier = read_artifact("artifacts/classifier.pkl")
        return classifier.predict(encoder.transform(applicant))
