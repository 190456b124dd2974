"""The trained model of one course: who is this face, or nobody we know?

What decides, and what the SVM adds:

- The distance check decides: a face is named only when its nearest enrollment encoding
  (Euclidean distance <= tolerance, 0.6 is dlib's usual value) belongs to that person.
  A linear SVM alone always names one of the people it was trained on, so it could never
  say "unknown" to a stranger.
- The linear SVM (one-vs-rest, one weight vector per person) is a second opinion that can
  only veto: when its choice differs from the nearest neighbour's, the face is unknown.
  It never names anyone the distance check would not. Measured on the sample faces
  (21 faces of the manifest, and leave-one-out over the 9 enrollment photos at a loose
  tolerance of 1.0) it changed no decision: with well-separated faces it adds nothing
  but a stricter answer for look-alikes, whose faces lie near the boundary between two
  people's encodings. Predicting it is one small matrix product.
- The same agreement picks the candidate of the review band (Match.candidate_id): a face
  just beyond the tolerance goes to the teacher only when the SVM and the nearest neighbour
  name the same student. Measured leave-one-person-out on the sample faces
  (bench/svm_band.py): the SVM agreed on all 76 genuine faces and vetoed 14 of 29
  impostors, all at 0.76 or farther; its margin does not separate the nearest impostors
  (0.70 away, margins 0.26-0.45) from genuine faces of a one-photo student (0.52 away,
  margins 0.27-0.39), so the margin is not used as a threshold.
- An SVM needs two people at least; with zero or one person the model is the distance
  check alone.

Training: each person's row is that person against every other encoding of the roster, and
a single liblinear one-vs-rest fit grows as people² or worse (CPU seconds on this 2-core
machine shared with other work: 1,000 people 13 s, 2,000 people 90 s). A row depends only on
the encodings inside its margin, so _one_vs_rest finds each row on a working set (the nearest
people's photos, then every encoding that breaks the row's margin, until none does): the same
rows to the solver's tol, so the same decisions (tests/recognition/test_classifier.py checks
it on 200 synthetic people). Measured on the same synthetic rosters (bench/training.py
EncodingSpace, 1,000 genuine probes, 1,000 strangers and 1,000 look-alikes, most of them within
0.66 of someone): no (person, candidate) decision within 0.66 differed from the single
fit's (beyond it, 1 stranger's of 1,000 at 2,000 people: rows equal to |Δw| 3e-4); CPU
seconds 2,000 people 18 (0.20x), 1,000 people 6.6 (0.50x), 300 people 1.7 (1.9x: more,
smaller fits), and the fits run on two threads (liblinear releases the GIL).
Rejected, as they change decisions (500 people): a looser tol=1e-2 (0.7x CPU) and the primal
solver (0.8x) each changed a review-band decision; centring the encodings (0.6-0.7x) gave
another model whose candidates differed for 5% of the strangers beyond the default band, C=10
or 0.3 for 9% and 5%; rows trained against the nearest people only, without the margin check,
give strangers a review candidate far more often.

The model is plain arrays (saved with np.savez, loaded without pickle), so a stored model
never runs code when loaded and prediction needs numpy only. This module imports numpy
and scikit-learn only: no Django, no dlib.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import numpy as np

from recognition.encoding import ENCODING_SIZE

FORMAT_VERSION = 1

# LinearSVC options, measured on 2 cores with 128-d encodings, 5 photos a person:
# dual=True solves 300 people in ~0.49 s where the primal solver (what dual="auto" picks
# when there are more photos than dimensions) takes ~1.2 s; tol=1e-3 converges in ~30
# passes with the same predictions as 1e-4. C=1 (the default) fits well-separated faces.
_SVM_OPTIONS = {"C": 1.0, "dual": True, "tol": 1e-3, "max_iter": 5000, "random_state": 0}

# Training (_one_vs_rest): each row starts from the photos of this many nearest people, and
# the fits run on this many threads.
_NEIGHBOURS = 20
_TRAINING_THREADS = 2


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A course's classifier. Arrays are read-only; build one with `train` or `from_bytes`.

    - person_ids: int64 (C,), the people (classes), sorted.
    - encodings: float32 (N, 128), the roster's enrollment encodings (for the distance check).
    - labels: int64 (N,), the person id of each encoding.
    - coef: float32 (C, 128) and intercept: float32 (C,), one row per person; None when
      there are fewer than two people (distance matching only).
    """

    person_ids: np.ndarray
    encodings: np.ndarray
    labels: np.ndarray
    coef: np.ndarray | None
    intercept: np.ndarray | None
    _squared_norms: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        person_ids = _frozen(self.person_ids, np.int64)
        encodings = _frozen(self.encodings, np.float32).reshape(-1, ENCODING_SIZE)
        labels = _frozen(self.labels, np.int64)
        if person_ids.ndim != 1 or labels.shape != (len(encodings),):
            raise ValueError("person_ids must be 1-d and labels must match the encodings")
        if not np.isin(labels, person_ids).all():
            raise ValueError("every label must be one of person_ids")
        if (self.coef is None) != (self.intercept is None):
            raise ValueError("coef and intercept go together")
        coef = intercept = None
        if self.coef is not None:
            coef = _frozen(self.coef, np.float32)
            intercept = _frozen(self.intercept, np.float32)
            people = len(person_ids)
            if coef.shape != (people, ENCODING_SIZE) or intercept.shape != (people,):
                raise ValueError("coef must be (people, 128) and intercept (people,)")
        for name, value in (
            ("person_ids", person_ids),
            ("encodings", encodings),
            ("labels", labels),
            ("coef", coef),
            ("intercept", intercept),
        ):
            object.__setattr__(self, name, value)
        norms = np.einsum("ij,ij->i", encodings, encodings)
        norms.flags.writeable = False
        object.__setattr__(self, "_squared_norms", norms)


@dataclass(frozen=True)
class Match:
    """The answer for one probe face: a person id, or None for unknown.

    distance: to the nearest enrollment encoding (None when the model has none).
    candidate_id: the person of that nearest encoding when the SVM proposes the same person,
    whatever the distance (None otherwise): who a face just beyond the tolerance most likely
    is, for a teacher to confirm. Equals person_id whenever person_id is set.
    """

    person_id: int | None
    distance: float | None
    candidate_id: int | None = None


def train(encodings, labels) -> TrainedModel:
    """Fit the course model from its roster's encodings and their person ids.

    Linear SVM one-vs-rest for two people or more: each person's row is that person against
    every other encoding (found on working sets, see _one_vs_rest). With zero
    or one person there is no SVM.
    """
    encodings = np.asarray(encodings, dtype=np.float32).reshape(-1, ENCODING_SIZE)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if len(labels) != len(encodings):
        raise ValueError(f"{len(encodings)} encodings but {len(labels)} labels")
    if not np.isfinite(encodings).all():
        raise ValueError("encodings contain NaN or infinite values")
    person_ids = np.unique(labels)
    if len(person_ids) < 2:
        return TrainedModel(person_ids, encodings, labels, None, None)

    return TrainedModel(person_ids, encodings, labels, *_one_vs_rest(encodings, labels))


def _one_vs_rest(encodings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's row (coef, intercept), that person against every other encoding, sorted
    by person id: the rows of the single one-vs-rest fit, found on working sets.

    A row depends only on the encodings inside its margin (the others have zero loss and
    zero gradient there). So each row is fitted first against the photos of the
    _NEIGHBOURS people nearest to that person (by mean encoding), then checked against every
    encoding of the roster: those on the wrong side of the margin join its working set and
    it is fitted again, until none is. The final rows solve the whole roster's problem, to
    the solver's tol. The fits run on _TRAINING_THREADS threads (liblinear releases the
    GIL); each is deterministic, so the model does not depend on their timing.
    """
    from concurrent.futures import ThreadPoolExecutor

    features = encodings.astype(np.float64)
    person_ids, person_of = np.unique(labels, return_inverse=True)
    people = len(person_ids)
    photos = [np.flatnonzero(person_of == p) for p in range(people)]
    means = np.array([features[rows].mean(axis=0) for rows in photos])
    working = [
        np.concatenate([photos[n] for n in near])
        for near in _nearest_people(means, min(_NEIGHBOURS, people - 1))
    ]
    coef = np.zeros((people, ENCODING_SIZE))
    intercept = np.zeros(people)

    def fit(person):
        rows = working[person]
        coef[person], intercept[person] = _binary_row(features[rows], person_of[rows] == person)

    todo = list(range(people))
    with ThreadPoolExecutor(_TRAINING_THREADS, thread_name_prefix="svm-train") as pool:
        while todo:
            list(pool.map(fit, todo))
            again = []
            for block in range(0, len(todo), 256):  # (encodings x 256) decisions at a time
                chosen = todo[block : block + 256]
                decisions = features @ coef[chosen].T + intercept[chosen]
                for column, person in enumerate(chosen):
                    inside = (decisions[:, column] > -1.0) & (person_of != person)
                    new = np.setdiff1d(np.flatnonzero(inside), working[person])
                    if len(new):
                        working[person] = np.concatenate([working[person], new])
                        again.append(person)
            todo = again
    return coef.astype(np.float32), intercept.astype(np.float32)


def _nearest_people(means: np.ndarray, count: int) -> list[np.ndarray]:
    """For each person, their own index and the `count` nearest others' (by mean encoding)."""
    squared = np.einsum("ij,ij->i", means, means)
    nearest = []
    for block in range(0, len(means), 512):  # (512 x people) distances at a time
        part = squared[block : block + 512, None] - 2 * means[block : block + 512] @ means.T
        part += squared[None, :]
        for offset, row in enumerate(part):
            row[block + offset] = -np.inf  # the person first
            nearest.append(np.argpartition(row, count)[: count + 1])
    return nearest


def _binary_row(features: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, float]:
    """The linear SVM row separating `positive` from the other rows of `features`."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    svm = LinearSVC(**_SVM_OPTIONS)
    with warnings.catch_warnings():
        # Not converging to tol still gives a usable proposal: the distance check decides.
        warnings.simplefilter("ignore", ConvergenceWarning)
        svm.fit(features, positive.astype(np.int8))
    return svm.coef_[0], svm.intercept_[0]


def identify(model: TrainedModel, probes, tolerance: float) -> list[Match]:
    """Who each probe encoding (M×128) is, in order; person_id None means unknown.

    Numpy only: the SVM's decision is probes·coefᵀ + intercept (argmax), and the squared
    distances to every enrollment encoding are |p|² - 2 p·e + |e|², with |e|² precomputed.
    """
    probes = np.asarray(probes, dtype=np.float32).reshape(-1, ENCODING_SIZE)
    if len(probes) == 0:
        return []
    if len(model.encodings) == 0:
        return [Match(None, None) for _ in probes]

    # Products with np.vecdot, a single-threaded ufunc: ~1 ms a probe against 50,000
    # encodings. A BLAS matmul is ~0.7 ms on an idle machine but ~8 ms while the other core
    # is busy (OpenBLAS waits for its second thread), e.g. encoding another check-in.
    dots = np.vecdot(model.encodings[None, :, :], probes[:, None, :])
    squared = np.vecdot(probes, probes)[:, None] - 2.0 * dots + model._squared_norms[None, :]
    nearest = squared.argmin(axis=1)
    nearest_person = model.labels[nearest]
    # Exact distance to the nearest encoding (the expansion above loses a few digits).
    distances = np.linalg.norm(probes - model.encodings[nearest], axis=1)

    if model.coef is None:
        proposed = nearest_person  # 0 or 1 person: the distance check alone
    else:
        decision = np.vecdot(model.coef[None, :, :], probes[:, None, :]) + model.intercept
        proposed = model.person_ids[decision.argmax(axis=1)]

    agreed = proposed == nearest_person
    accepted = agreed & (distances <= tolerance)
    return [
        Match(int(person) if ok else None, float(distance), int(person) if agree else None)
        for person, ok, distance, agree in zip(proposed, accepted, distances, agreed, strict=True)
    ]


def to_bytes(model: TrainedModel) -> bytes:
    """The model as an .npz archive of plain arrays, with FORMAT_VERSION inside."""
    arrays = {
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "person_ids": model.person_ids,
        "encodings": model.encodings,
        "labels": model.labels,
    }
    if model.coef is not None:
        arrays["coef"] = model.coef
        arrays["intercept"] = model.intercept
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def from_bytes(data: bytes) -> TrainedModel:
    """Read what to_bytes wrote; ValueError on another format version or corrupt data."""
    try:
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except Exception as exc:  # BadZipFile, pickled (object) arrays, truncation, ...
        raise ValueError(f"not a stored face model: {exc}") from None
    version = arrays.get("format_version")
    if version is None or version.shape != () or int(version) != FORMAT_VERSION:
        raise ValueError(
            f"face model format version {None if version is None else version.tolist()!r}, "
            f"expected {FORMAT_VERSION}: train the course again"
        )
    missing = {"person_ids", "encodings", "labels"} - arrays.keys()
    if missing:
        raise ValueError(f"face model lacks {', '.join(sorted(missing))}")
    try:
        return TrainedModel(
            person_ids=arrays["person_ids"],
            encodings=arrays["encodings"],
            labels=arrays["labels"],
            coef=arrays.get("coef"),
            intercept=arrays.get("intercept"),
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"inconsistent face model: {exc}") from None


def _frozen(array, dtype) -> np.ndarray:
    result = np.array(array, dtype=dtype, copy=True)  # own copy: safe to make read-only
    result.flags.writeable = False
    return result
