"""Reading what training left in the artifacts folder."""
import pickle


def read_artifact(location):
    with open(location, "rb") as stream:
        return pickle.load(stream)
