"""The classifier's candidate for the review band, on the real sample faces."""

import numpy as np

from bench.svm_band import measure
from recognition import classifier

PERSON_IDS = {"alex_lacamoire": 1, "biden": 2, "kit_harington": 3, "obama": 4, "rose_leslie": 5}


def model_of(enrollment_set):
    encodings = np.array([face.encoding for _, face in enrollment_set])
    return classifier.train(encodings, [PERSON_IDS[name] for name, _ in enrollment_set])


def test_a_face_just_beyond_the_tolerance_keeps_its_candidate(enrollment_set, probe_faces):
    model = model_of(enrollment_set)
    probe = [probe_faces["probe/obama1.jpg"][0].encoding]
    (named,) = classifier.identify(model, probe, 0.6)
    (beyond,) = classifier.identify(model, probe, 0.3)  # obama1 is about 0.33 from Obama
    assert (named.person_id, named.candidate_id) == (4, 4)
    assert (beyond.person_id, beyond.candidate_id) == (None, 4)
    assert beyond.distance == named.distance


def test_the_candidate_is_none_when_the_svm_disagrees_with_the_nearest_face():
    encodings = np.zeros((2, 128), dtype=np.float32)
    encodings[0, 0], encodings[1, 1] = 1.0, 1.0
    model = classifier.TrainedModel(
        person_ids=np.array([1, 2]),
        encodings=encodings,
        labels=np.array([1, 2]),
        coef=np.zeros((2, 128), dtype=np.float32),
        intercept=np.array([1.0, 0.0], dtype=np.float32),  # always proposes person 1
    )
    (match,) = classifier.identify(model, encodings[1:2], 0.6)
    assert (match.person_id, match.candidate_id) == (None, None)


def test_the_svm_always_agrees_on_genuine_faces_and_vetoes_only_far_impostors():
    """bench.svm_band's measurement, as docs/recognition-and-liveness.md states it."""
    rows = measure()
    genuine = [r for r in rows if r["genuine"]]
    impostors = [r for r in rows if not r["genuine"]]
    assert all(r["agrees"] for r in genuine)
    vetoed = [r for r in impostors if not r["agrees"]]
    assert vetoed and min(r["distance"] for r in vetoed) > 0.7  # beyond the default band (0.66)
    assert not [r for r in impostors if r["distance"] <= 0.66]  # none in the default band
