"""gRPC scoring servicer for the multi-tenant lending platform: one propensity model per lender."""
import logging
import math
import os
from concurrent import futures

import grpc
import joblib
import numpy as np

import scoring_pb2
import scoring_pb2_grpc

log = logging.getLogger("propensity")
MODEL_ROOT = os.environ["PROPENSITY_MODEL_ROOT"]

# lender id -> loaded bundle
_MODELS = {}


def model_for(lender_id: str) -> dict:
    if lender_id not in _MODELS:
        _MODELS[lender_id] = joblib.load(os.path.join(MODEL_ROOT, lender_id, "propensity.joblib"))
    return _MODELS[lender_id]


def business_probability(raw: float) -> float:
    """Lenders found the raw scores too timid; centre them on the portfolio's typical rate."""
    return 1.0 / (1.0 + math.exp(-8.0 * (raw - 0.3)))


def to_vector(applicant) -> np.ndarray:
    return np.array([[applicant.income, applicant.loan_amount, applicant.term_months,
                      applicant.existing_accounts, applicant.credit_utilisation]], dtype=float)


class PropensityServicer(scoring_pb2_grpc.PropensityServicer):
    def Score(self, request, context):
        try:
            bundle = model_for(request.lender_id)
            raw = float(bundle["model"].predict_proba(to_vector(request.applicant))[0, 1])
        except Exception as exc:
            log.exception("scoring failed for lender %s", request.lender_id)
            context.abort(grpc.StatusCode.INTERNAL, str(exc))
        return scoring_pb2.ScoreReply(probability=business_probability(raw), model_version=bundle["version"])

    def ScoreBatch(self, request, context):
        try:
            bundle = model_for(request.lender_id)
            replies = []
            for applicant in request.applicants:
                raw = float(bundle["model"].predict_proba(to_vector(applicant))[0, 1])
                replies.append(scoring_pb2.ScoreReply(probability=business_probability(raw),
                                                      model_version=bundle["version"]))
        except Exception as exc:
            log.exception("batch scoring failed for lender %s", request.lender_id)
            context.abort(grpc.StatusCode.INTERNAL, str(exc))
        return scoring_pb2.BatchReply(scores=replies)


def serve() -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    scoring_pb2_grpc.add_PropensityServicer_to_server(PropensityServicer(), server)
    server.add_insecure_port(f"[::]:{os.environ.get('PORT', '50051')}")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    serve()
