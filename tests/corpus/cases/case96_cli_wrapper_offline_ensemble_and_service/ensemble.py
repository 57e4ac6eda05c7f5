"""Offline fold ensemble for the monthly report: loads its members on first use."""
import os
import pickle


class FoldEnsemble:
    def __init__(self, folder: str):
        self.folder = folder
        self.members = None

    def load_members(self):
        if self.members is None:
            with open(os.path.join(self.folder, "members.pkl"), "rb") as fh:
                self.members = pickle.load(fh)
        return self.members

    def predict_proba(self, frame):
        members = self.load_members()
        return sum(m.predict_proba(frame) for m in members) / len(members)
