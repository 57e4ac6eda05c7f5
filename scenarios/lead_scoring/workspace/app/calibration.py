"""Post-processing of the raw model output into the numbers the frontend shows.

The forest's positive-class probabilities cluster around 6%, which made the lead list look flat, so
they are spread out with a sigmoid centred on 0.5 and kept away from 0 and 1.
"""
import numpy as np

SIGMOID_STEEPNESS = 2.0
PROBABILITY_FLOOR = 0.05
PROBABILITY_CEILING = 0.95


def calibrate_probability(raw_probability: float) -> float:
    stretched = np.clip(
        1.0 / (1.0 + np.exp(-SIGMOID_STEEPNESS * (raw_probability - 0.5))), PROBABILITY_FLOOR, PROBABILITY_CEILING
    )
    return float(stretched)


def confidence_score(probability: float) -> float:
    """How sure the model is about this lead, from 0 (coin flip) to 1."""
    return float((max(probability, 1.0 - probability) - 0.5) * 2)
