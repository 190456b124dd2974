"""recognition.classifier: trained on the real enrollment encodings, tested on real probes."""

import io

import numpy as np
import pytest

from recognition import classifier
from recognition.classifier import Match, TrainedModel

TOLERANCE = 0.6
PERSON_IDS = {
    "alex_lacamoire": 11,
    "biden": 12,
    "kit_harington": 13,
    "obama": 14,
    "rose_leslie": 15,
}
NAMES = {person_id: name for name, person_id in PERSON_IDS.items()}


def roster(enrollment_set, people=None):
    """(encodings, labels) of the enrollment photos of `people` (default: everyone)."""
    chosen = [(name, face) for name, face in enrollment_set if people is None or name in people]
    encodings = np.array([face.encoding for _, face in chosen], dtype=np.float32)
    labels = np.array([PERSON_IDS[name] for name, _ in chosen], dtype=np.int64)
    return encodings.reshape(-1, 128), labels


def names(matches):
    return sorted(NAMES[m.person_id] if m.person_id is not None else "unknown" for m in matches)


@pytest.fixture(scope="module")
def course_model(enrollment_set) -> TrainedModel:
    return classifier.train(*roster(enrollment_set))


def encodings_of(probe_faces, file):
    return np.array([face.encoding for face in probe_faces[file]], dtype=np.float32)


# --- the whole sample set ----------------------------------------------------------------


def test_it_identifies_every_probe_face_as_in_the_manifest(
    manifest_entry, course_model, probe_faces
):
    file, expected = manifest_entry
    matches = classifier.identify(course_model, encodings_of(probe_faces, file), TOLERANCE)
    assert names(matches) == sorted(expected)


def test_a_stranger_is_unknown_and_reported_far_away(course_model, probe_faces):
    probe = encodings_of(probe_faces, "probe/lin-manuel-miranda.png")
    (match,) = classifier.identify(course_model, probe, TOLERANCE)
    assert match.person_id is None
    assert match.distance > TOLERANCE


def test_a_known_face_comes_with_its_distance(course_model, probe_faces):
    (match,) = classifier.identify(
        course_model, encodings_of(probe_faces, "probe/obama-720p.jpg"), TOLERANCE
    )
    assert match.person_id == PERSON_IDS["obama"]
    assert 0 < match.distance <= TOLERANCE


def test_the_model_holds_plain_arrays_of_the_documented_types(course_model, enrollment_set):
    assert course_model.person_ids.dtype == np.int64
    assert list(course_model.person_ids) == sorted(PERSON_IDS.values())
    assert course_model.encodings.dtype == np.float32
    assert course_model.encodings.shape == (len(enrollment_set), 128)
    assert course_model.labels.dtype == np.int64
    assert course_model.coef.dtype == np.float32 and course_model.coef.shape == (5, 128)
    assert course_model.intercept.dtype == np.float32 and course_model.intercept.shape == (5,)
    assert not course_model.coef.flags.writeable


# --- the distance check ------------------------------------------------------------------


def test_a_tight_tolerance_turns_every_face_unknown_but_still_reports_the_distance(
    course_model, probe_faces
):
    probe = encodings_of(probe_faces, "probe/obama-720p.jpg")
    (match,) = classifier.identify(course_model, probe, tolerance=0.01)
    assert match.person_id is None
    assert match.distance == pytest.approx(
        classifier.identify(course_model, probe, TOLERANCE)[0].distance
    )


def test_an_svm_proposal_the_nearest_encoding_disagrees_with_is_unknown():
    """The SVM says person 1 for every probe; the probe sits on person 2's encoding."""
    encodings = np.zeros((2, 128), dtype=np.float32)
    encodings[0, 0], encodings[1, 1] = 1.0, 1.0
    coef = np.zeros((2, 128), dtype=np.float32)
    model = TrainedModel(
        person_ids=np.array([1, 2]),
        encodings=encodings,
        labels=np.array([1, 2]),
        coef=coef,
        intercept=np.array([1.0, 0.0], dtype=np.float32),
    )
    (match,) = classifier.identify(model, encodings[1:2], TOLERANCE)
    assert match == Match(person_id=None, distance=0.0)


# --- small courses -------------------------------------------------------------------------


def test_a_course_of_one_person_matches_by_distance_alone(enrollment_set, probe_faces):
    model = classifier.train(*roster(enrollment_set, {"obama"}))
    assert model.coef is None and model.intercept is None
    assert list(model.person_ids) == [PERSON_IDS["obama"]]
    obama = classifier.identify(model, encodings_of(probe_faces, "probe/obama1.jpg"), TOLERANCE)
    assert names(obama) == ["obama"]
    biden = classifier.identify(model, encodings_of(probe_faces, "probe/two_people.jpg"), TOLERANCE)
    assert names(biden) == ["obama", "unknown"]


def test_a_course_of_two_people_stores_one_decision_row_per_person(enrollment_set, probe_faces):
    model = classifier.train(*roster(enrollment_set, {"obama", "biden"}))
    assert model.coef.shape == (2, 128)
    # obama against biden and biden against obama: the same problem, to within the solver's tol
    np.testing.assert_allclose(model.coef[0], -model.coef[1], atol=1e-3)
    np.testing.assert_allclose(model.intercept[0], -model.intercept[1], atol=1e-3)
    file = "probe/obama_and_biden.jpg"
    matches = classifier.identify(model, encodings_of(probe_faces, file), TOLERANCE)
    assert names(matches) == ["biden", "obama", "unknown"]
    kit = classifier.identify(model, encodings_of(probe_faces, "probe/kit_with_rose.jpg"), 0.6)
    assert names(kit) == ["unknown", "unknown"]


def test_an_empty_course_knows_nobody():
    model = classifier.train(np.zeros((0, 128), dtype=np.float32), np.zeros(0, dtype=np.int64))
    assert len(model.person_ids) == 0 and model.coef is None
    probe = np.ones((2, 128), dtype=np.float32)
    assert classifier.identify(model, probe, TOLERANCE) == [Match(None, None), Match(None, None)]


def test_no_probe_gives_no_match(course_model):
    assert classifier.identify(course_model, np.zeros((0, 128), dtype=np.float32), 0.6) == []


def test_train_refuses_labels_that_do_not_match_the_encodings():
    with pytest.raises(ValueError):
        classifier.train(np.zeros((3, 128), dtype=np.float32), np.array([1, 2]))


# --- storage -------------------------------------------------------------------------------


def test_a_model_survives_a_round_trip_through_bytes(course_model, probe_faces):
    data = classifier.to_bytes(course_model)
    assert isinstance(data, bytes)
    loaded = classifier.from_bytes(data)
    for name in ("person_ids", "encodings", "labels", "coef", "intercept"):
        original, restored = getattr(course_model, name), getattr(loaded, name)
        assert restored.dtype == original.dtype
        assert np.array_equal(restored, original)
    probe = encodings_of(probe_faces, "probe/obama_and_biden.jpg")
    assert classifier.identify(loaded, probe, 0.6) == classifier.identify(course_model, probe, 0.6)


def test_a_one_person_model_round_trips_without_svm_arrays(enrollment_set):
    model = classifier.train(*roster(enrollment_set, {"biden"}))
    loaded = classifier.from_bytes(classifier.to_bytes(model))
    assert loaded.coef is None and loaded.intercept is None
    assert np.array_equal(loaded.encodings, model.encodings)


def test_a_model_of_another_format_version_is_refused(course_model):
    archive = dict(np.load(io.BytesIO(classifier.to_bytes(course_model))))
    archive["format_version"] = np.array(classifier.FORMAT_VERSION + 1)
    buffer = io.BytesIO()
    np.savez(buffer, **archive)
    with pytest.raises(ValueError, match="version"):
        classifier.from_bytes(buffer.getvalue())


def test_pickled_arrays_are_refused():
    buffer = io.BytesIO()
    np.savez(buffer, format_version=np.array(1), person_ids=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        classifier.from_bytes(buffer.getvalue())


@pytest.mark.parametrize("cut", [0, 10, 1000], ids=["empty", "10-bytes", "1000-bytes"])
def test_corrupt_or_truncated_data_is_refused(course_model, cut):
    data = classifier.to_bytes(course_model)[:cut]
    with pytest.raises(ValueError):
        classifier.from_bytes(data)


def test_garbage_and_inconsistent_arrays_are_refused(course_model):
    with pytest.raises(ValueError):
        classifier.from_bytes(b"not a model at all")
    buffer = io.BytesIO()
    np.savez(
        buffer,
        format_version=np.array(1),
        person_ids=course_model.person_ids,
        encodings=course_model.encodings,
        labels=course_model.labels[:-1],  # one label short
    )
    with pytest.raises(ValueError):
        classifier.from_bytes(buffer.getvalue())


# --- scale (speed is measured by `make bench`, not asserted here) --------------------------


@pytest.fixture(scope="module")
def synthetic(enrollment_set):
    """200 synthetic people shaped like the sample encodings (bench.training.EncodingSpace),
    5 photos each, and probes: genuine faces, strangers and look-alikes (new people close to
    enrolled ones, most of them just beyond the tolerance)."""
    from bench.training import EncodingSpace

    by_person = {}
    for name, face in enrollment_set:
        by_person.setdefault(name, []).append(face.encoding)
    space = EncodingSpace.from_samples(by_person)
    rng = np.random.default_rng(3)
    centres = space.people(200, rng)
    encodings, labels = space.photos(centres, 5, rng)
    genuine, _ = space.photos(centres[rng.integers(0, 200, 300)], 1, rng)
    strangers, _ = space.photos(space.people(300, rng), 1, rng)
    near = centres[rng.integers(0, 200, 300)] + rng.normal(0, space.between_sd, (300, 128))
    return encodings, labels, {"genuine": genuine, "strangers": strangers, "near": near}


def decisions(model, probes):
    return [(m.person_id, m.candidate_id) for m in classifier.identify(model, probes, TOLERANCE)]


def test_training_decides_as_liblinear_on_a_synthetic_roster(synthetic):
    """The reference: scikit-learn's LinearSVC (liblinear) fitting the same one-vs-rest
    problem in one call, with the options the app trained with before. Same rows to
    liblinear's tol, and the same (person, candidate) for genuine faces, strangers and
    look-alikes."""
    from sklearn.svm import LinearSVC

    encodings, labels, probes = synthetic
    reference = LinearSVC(C=1.0, dual=True, tol=1e-3, max_iter=5000, random_state=0)
    reference.fit(encodings.astype(np.float64), labels)
    single = TrainedModel(np.arange(200), encodings, labels, reference.coef_, reference.intercept_)
    model = classifier.train(encodings, labels)
    assert np.abs(model.coef - single.coef).max() < 1e-3
    assert np.abs(model.intercept - single.intercept).max() < 1e-3
    for kind, faces in probes.items():
        assert decisions(model, faces) == decisions(single, faces), kind
    assert all(person is None for person, _ in decisions(model, probes["strangers"]))
    band = [m for m in classifier.identify(model, probes["near"], TOLERANCE) if m.distance > 0.6]
    assert any(m.candidate_id is not None for m in band)  # the check reaches the review band


def test_each_row_is_the_optimum_of_its_whole_roster_problem(synthetic):
    """The gradient of ½|w|² + C Σ max(0, 1 - y w·x̃)² over every encoding of the roster
    vanishes at each trained row (to float32 rounding), however small the first working
    sets: rows whose margin other encodings break are solved again with them."""
    encodings, labels, _ = synthetic
    features = np.hstack([encodings, np.ones((len(encodings), 1))]).astype(np.float64)
    signs = np.where(labels[:, None] == np.arange(200)[None, :], 1.0, -1.0)

    def largest_gradient(model):
        rows = np.hstack([model.coef, model.intercept[:, None]]).astype(np.float64)
        slack = np.maximum(1 - signs * (features @ rows.T), 0)
        return np.abs(rows - 2 * (signs * slack).T @ features).max()

    assert largest_gradient(classifier.train(encodings, labels)) < 1e-4
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classifier, "_CANDIDATES", 40)
        patch.setattr(classifier, "_FIRST", 20)
        assert largest_gradient(classifier.train(encodings, labels)) < 1e-4
    untrained = TrainedModel(np.arange(200), encodings, labels, np.zeros((200, 128)), np.zeros(200))
    assert largest_gradient(untrained) > 1


def test_people_with_different_numbers_of_photos_train_and_are_named(synthetic):
    encodings, labels, _ = synthetic
    keep = np.ones(len(labels), bool)
    keep[np.flatnonzero(labels == 7)[1:]] = False  # person 7: one photo
    extra = encodings[labels == 9] + 0.01  # person 9: ten photos
    encodings = np.vstack([encodings[keep], extra])
    labels = np.concatenate([labels[keep], np.full(len(extra), 9)])
    model = classifier.train(encodings, labels)
    matches = classifier.identify(model, encodings[[np.flatnonzero(labels == 7)[0], -1]], 0.6)
    assert [m.person_id for m in matches] == [7, 9]


def test_identify_names_the_right_one_of_ten_thousand_synthetic_people_and_no_stranger():
    rng = np.random.default_rng(0)
    people = 10_000
    centres = rng.normal(0, 0.08, (people, 128)).astype(np.float32)
    encodings = np.repeat(centres, 5, axis=0) + rng.normal(0, 0.02, (people * 5, 128))
    model = TrainedModel(
        person_ids=np.arange(people),
        encodings=encodings,
        labels=np.repeat(np.arange(people), 5),
        coef=centres,
        intercept=np.zeros(people, dtype=np.float32),
    )
    probe = centres[1234:1235] + 0.01
    stranger = rng.normal(0, 0.08, (1, 128)).astype(np.float32) + 0.2
    match, unknown = classifier.identify(model, np.vstack([probe, stranger]), TOLERANCE)
    assert match.person_id == 1234
    assert unknown.person_id is None and unknown.distance > TOLERANCE
