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

Training: each person's row is that person against every other encoding of the roster, the
problem liblinear's LinearSVC solves (see _C). Fitted with scikit-learn, one small fit per
row on a working set, 2,000 people took 17 CPU s (45 s wall with other work on the
machine): per-call overhead, not arithmetic. _one_vs_rest solves the same problems in
batched numpy, _BLOCK rows at a time, by finite Newton steps to the exact optimum (liblinear
stops at tol=1e-3). Measured on synthetic rosters (bench/training.py EncodingSpace, `python
-m bench.training --quick`, 300 genuine faces, strangers and look-alikes each), in the same
runs as the old trainer, two runs with the machine loaded (load average 8-12 on 2 cores):
2,000 people 9.7-9.9 CPU s (0.48-0.56x the old) and 20-29 s wall (0.45-0.58x); 1,000
people 4.6-5.0 CPU s (0.56-0.63x); 300 people 1.8-2.0 CPU s (1.0-1.2x). Rows within 2e-4
of the old ones; decisions changed: none at 300 and 1,000 people, at 2,000 none in one run
and one stranger's review candidate of 900 faces in the other (the old rows are liblinear's
approximation to its tol). On a quiet machine (load average 0.7, same command): 2,000
people 5.2 s wall, 10.0 CPU s (old: 12.1 s, 19.2 CPU s), 1,000 people 2.6 s, 300 people
1.2 s; no decision changed; identifying one face at 2,000 people 0.17 ms (p50).
tests/recognition/test_classifier.py checks the rows against liblinear and
the gradient of every row's whole-roster problem.
Rejected earlier, as they change decisions (500 people): a looser tol=1e-2 and centring the
encodings (another model: candidates differed for 5% of the strangers beyond the default
band), C=10 or 0.3 for 9% and 5%; rows trained against the nearest people only, without the
margin check, give strangers a review candidate far more often.

The model is plain arrays (saved with np.savez, loaded without pickle), so a stored model
never runs code when loaded and prediction needs numpy only. This module imports numpy
(and threadpoolctl to train) only: no Django, no dlib.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from recognition.encoding import ENCODING_SIZE

FORMAT_VERSION = 1

# The problem of each person's row, as liblinear's LinearSVC (C=1, dual=True) states it:
# min ½|w|² + C Σ max(0, 1 - yᵢ w·x̃ᵢ)², x̃ = (encoding, 1), so the intercept is regularised
# like the weights (intercept_scaling=1).
_C = 1.0

# Training (_one_vs_rest), measured on synthetic rosters of 300-2,000 people (see the docstring):
# the first working set of a row is its own photos and this many other encodings, the
# closest to the row's least-squares guess; the start assumes its own photos and the first
# _FIRST of those inside the margin.
_CANDIDATES = 400
_FIRST = 130
_BLOCK = 128  # rows solved together
# More samples than this entering or leaving a row's margin since its Hessian was inverted:
# build it again; fewer: update the inverse (Woodbury), a few rank-one terms.
_REFRESH = 16
_STEP_TOL = 1e-7  # a row is solved when its Newton step is shorter than this
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
    by person id: the optimum of each row's problem (see _C), to within _STEP_TOL.

    A row depends only on the encodings inside its margin (the others have zero loss and
    zero gradient there). So each row is solved on a working set first: its own photos and
    the _CANDIDATES other encodings its least-squares guess scores highest. Then every
    encoding of the roster is checked: those on the wrong side of the margin join the
    working set and the row is solved again, until none is. Rows are solved _BLOCK at a
    time in batched numpy (_newton), as thousands of small solver calls cost more in
    overhead than in arithmetic. Blocks run on _TRAINING_THREADS threads (numpy's linear
    algebra releases the GIL); each is deterministic, so the model does not depend on timing.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    features = np.hstack([encodings.astype(np.float64), np.ones((len(encodings), 1))])
    person_ids, person_of = np.unique(labels, return_inverse=True)
    people = len(person_ids)
    guess = _least_squares_rows(features, person_of, people)
    rows = np.empty((people, features.shape[1]))

    def fit(block):
        rows[block] = _fit_block(features, person_of, block, guess[block])

    blocks = [np.arange(s, min(s + _BLOCK, people)) for s in range(0, people, _BLOCK)]
    # One BLAS thread per block: OpenBLAS's own threads spin while waiting for work, and two
    # of them per block on two cores took 3-5x the CPU time.
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(_TRAINING_THREADS, thread_name_prefix="svm-train") as pool,
    ):
        list(pool.map(fit, blocks))
    return rows[:, :-1].astype(np.float32), rows[:, -1].astype(np.float32)


def _least_squares_rows(features: np.ndarray, person_of: np.ndarray, people: int) -> np.ndarray:
    """Every row with every encoding inside its margin: (I/2C + X̃ᵀX̃) w = X̃ᵀy, one system
    shared by all rows. Far from the SVM rows, but it ranks who lies near them."""
    sums = np.zeros((people, features.shape[1]))
    np.add.at(sums, person_of, features)
    targets = (2 * sums - features.sum(axis=0)).T  # X̃ᵀy of each row, y = ±1
    system = np.eye(features.shape[1]) / (2 * _C) + features.T @ features
    return np.linalg.solve(system, targets).T


def _fit_block(
    features: np.ndarray, person_of: np.ndarray, block: np.ndarray, guess: np.ndarray
) -> np.ndarray:
    """The rows of the people `block` (indices), each solved on a working set that grows
    until no encoding of the roster breaks its margin."""
    own = person_of[:, None] == block[None, :]  # (encodings, rows)
    scores = features @ guess.T
    scores[own] = -np.inf
    count = min(_CANDIDATES, len(features) - int(own.sum(axis=0).max()))
    top = np.argpartition(-scores, count - 1, axis=0)[:count].T
    best_first = np.argsort(-np.take_along_axis(scores.T, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, best_first, axis=1)
    working = [np.concatenate([np.flatnonzero(own[:, j]), top[j]]) for j in range(len(block))]
    first = own.sum(axis=0) + min(_FIRST, count)

    rows = np.zeros((len(block), features.shape[1]))
    live, state = np.arange(len(block)), None
    while True:
        sets = [working[j] for j in live]
        rows[live], state = _newton(features, person_of, block[live], sets, state, first[live])
        inside = (features @ rows.T > -1.0) & ~own
        for j, indices in enumerate(working):
            inside[indices, j] = False
        grown = np.flatnonzero(inside.any(axis=0))
        if not len(grown):
            return rows
        for j in grown:
            working[j] = np.concatenate([working[j], np.flatnonzero(inside[:, j])])
        kept = np.searchsorted(live, grown)  # rows that did not move gain nothing
        state = (rows[grown], *(part[kept] for part in state[1:]))
        live = grown


def _newton(features, person_of, people, sets, state, first):
    """The rows of `people` (indices) on their working sets `sets` (index arrays), from
    `state` (rows, inverse Hessians, the active sets they hold, which are stale) or, when it
    is None, from the minimum with the first `first` samples of each set inside the margin.
    Returns the rows and the state to resume from.

    Finite Newton for the squared hinge (Keerthi & DeCoste, 2005): the samples inside a
    row's margin (its active set) make the problem quadratic, whose minimum is the Newton
    step; an exact line search follows. The Hessian I + 2C Σ x̃x̃ᵀ over the active set is
    built again only when more than _REFRESH samples changed (solved while the set still
    moves, inverted once it settles), else its inverse is updated (Woodbury). A row is done
    when its step is shorter than _STEP_TOL; its active set is then the optimum's.
    """
    count, width, dims = len(people), max(map(len, sets)), features.shape[1]
    index = np.full((count, width), len(features))  # padding: an added zero sample
    for j, indices in enumerate(sets):
        index[j, : len(indices)] = indices
    valid = index < len(features)
    samples = np.vstack([features, np.zeros(dims)])[index]  # (rows, width, dims)
    targets = np.where(np.append(person_of, -1)[index] == people[:, None], 1.0, -1.0)
    if state is None:
        guessed = np.arange(width) < first[:, None]
        head = samples[:, : first.max()] * guessed[:, : first.max(), None]
        moment = np.matmul((targets * guessed)[:, None, :], samples).transpose(0, 2, 1)
        rows = 2 * _C * np.linalg.solve(_hessian(head), moment)[:, :, 0]
        inverse, held, stale = np.empty((count, dims, dims)), guessed, np.ones(count, bool)
    else:
        rows, inverse, old, stale = (part.copy() for part in state)
        held = np.zeros((count, width), bool)  # working sets only grow at their end
        held[:, : min(width, old.shape[1])] = old[:, :width]

    singles = samples.astype(np.float32)  # for the Hessians: their error only slows a step
    result = (rows.copy(), inverse, held, stale)
    at = np.arange(count)  # which of them the arrays below hold
    going = np.ones(count, bool)
    before = held.copy()
    while True:
        margins = targets * np.vecdot(samples, rows[:, None, :])
        slack = np.where(valid & (margins < 1), 1 - margins, 0.0)
        active = slack > 0
        gradient = rows - 2 * _C * np.matmul((targets * slack)[:, None, :], samples)[:, 0, :]
        changed = (active != held) & going[:, None]
        moving = (active != before).sum(axis=1) > _REFRESH
        before = active
        step = np.zeros_like(rows)

        rebuild = np.flatnonzero(((changed.sum(axis=1) > _REFRESH) | stale) & going)
        if len(rebuild):
            inside = active[rebuild]
            order = np.argsort(~inside, axis=1, kind="stable")[:, : inside.sum(axis=1).max()]
            kept = np.take_along_axis(inside, order, axis=1)[:, :, None]
            hessian = _hessian(np.take_along_axis(singles[rebuild], order[:, :, None], 1) * kept)
            moves = moving[rebuild]
            solved, settled = rebuild[moves], rebuild[~moves]
            if len(solved):
                step[solved] = -np.linalg.solve(hessian[moves], gradient[solved, :, None])[..., 0]
                stale[solved] = True
            if len(settled):
                inverse[settled] = np.linalg.inv(hessian[~moves])
                held[settled], stale[settled] = active[settled], False
            changed[rebuild] = False
        updated = np.flatnonzero(changed.any(axis=1))
        if len(updated):
            inverse[updated] = _woodbury(
                inverse[updated], samples[updated], changed[updated], active[updated]
            )
            held[updated] = active[updated]
        exact = np.flatnonzero(~stale & going)
        step[exact] = -np.matmul(inverse[exact], gradient[exact, :, None])[:, :, 0]

        along = targets * np.vecdot(samples, step[:, None, :])
        size = _line_search(margins, along, valid, np.vecdot(rows, step), np.vecdot(step, step))
        step *= size[:, None]
        rows += step
        going &= np.sqrt(np.vecdot(step, step)) > _STEP_TOL
        if 2 * going.sum() <= len(going):  # keep working on the rows still going only
            for whole, part in zip(result, (rows, inverse, held, stale), strict=True):
                whole[at] = part
            if not going.any():
                return result[0], result
            at, keep = at[going], going.copy()
            samples, singles, targets, valid = (a[keep] for a in (samples, singles, targets, valid))
            rows, inverse, held, stale, before, going = (
                a[keep] for a in (rows, inverse, held, stale, before, going)
            )


def _hessian(inside: np.ndarray) -> np.ndarray:
    """I + 2C Σ x̃x̃ᵀ over the samples `inside` (rows, samples, dims; zero rows add nothing)."""
    hessian = np.matmul(inside.transpose(0, 2, 1), inside).astype(np.float64)
    hessian *= 2 * _C
    hessian[:, np.arange(inside.shape[2]), np.arange(inside.shape[2])] += 1
    return hessian


def _woodbury(inverse, samples, changed, active) -> np.ndarray:
    """The inverse Hessians after the `changed` samples entered (active) or left the margin:
    the Hessian gains or loses 2C x̃x̃ᵀ for each, so its inverse changes by a low-rank term."""
    count = changed.sum(axis=1).max()
    order = np.argsort(~changed, axis=1, kind="stable")[:, :count]
    real = np.take_along_axis(changed, order, axis=1)
    terms = np.take_along_axis(samples, order[:, :, None], axis=1) * real[:, :, None]
    signs = np.where(np.take_along_axis(active, order, axis=1), 1.0, -1.0)
    product = np.matmul(inverse, terms.transpose(0, 2, 1))  # H⁻¹U, (rows, dims, count)
    core = np.matmul(terms, product)
    core[:, np.arange(count), np.arange(count)] += np.where(real, signs / (2 * _C), 1.0)
    return inverse - np.matmul(product, np.linalg.solve(core, product.transpose(0, 2, 1)))


def _line_search(margins, along, valid, slope0, curvature0, longest=2.0) -> np.ndarray:
    """The step length t in [0, longest] minimising each row's objective along its step.
    Its derivative a + t b - 2C Σ dmᵢ (1 - mᵢ - t dmᵢ)₊ is piecewise linear and increasing:
    Newton's method on it, kept inside the bracket that holds the root."""
    size = np.ones(len(margins))
    low, high = np.zeros(len(margins)), np.full(len(margins), longest)
    for _ in range(30):
        slack = 1 - margins - size[:, None] * along
        inside = valid & (slack > 0)
        slope = slope0 + size * curvature0 - 2 * _C * np.vecdot(np.where(inside, slack, 0), along)
        curvature = curvature0 + 2 * _C * np.vecdot(np.where(inside, along, 0), along)
        low, high = np.where(slope < 0, size, low), np.where(slope > 0, size, high)
        following = size - slope / np.maximum(curvature, 1e-300)
        outside = (following <= low) | (following >= high)
        following = np.where(slope == 0, size, np.where(outside, (low + high) / 2, following))
        if np.all(np.abs(following - size) <= 1e-12):
            return following
        size = following
    return size


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
