"""Training and identification at scale, on synthetic encodings shaped like real ones.

Real dlib encodings are not centred at zero: they share a large common component, and a
person's photos sit in a tight cluster. `EncodingSpace.from_samples` measures this on the
sample faces (their mean vector, the average distance between two photos of one person and
between two people); synthetic people are then centres = that mean + isotropic Gaussian
noise, and photos = centre + smaller isotropic Gaussian noise, with the two noise levels
chosen so that within-person and between-person distances match the measured ones.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np

from bench.stats import ms, percentile, timed

DIMENSIONS = 128


def mean_pairwise(groups_a, groups_b=None) -> float:
    """Mean distance within each group (groups_b None) or between groups of a and b."""
    if groups_b is None:
        pairs = [(a, b) for group in groups_a for a, b in itertools.combinations(group, 2)]
    else:
        pairs = list(itertools.product(groups_a, groups_b))
    return float(np.mean([np.linalg.norm(np.subtract(a, b)) for a, b in pairs]))


@dataclass(frozen=True)
class EncodingSpace:
    mean: tuple[float, ...]
    within_sd: float  # per dimension, photos around their person's centre
    between_sd: float  # per dimension, people's centres around the mean
    measured: dict  # what the sample faces showed

    @classmethod
    def from_samples(cls, by_person: dict[str, list[np.ndarray]]) -> EncodingSpace:
        everything = np.array([e for photos in by_person.values() for e in photos])
        groups = [photos for photos in by_person.values() if len(photos) >= 2]
        within = mean_pairwise(groups)
        people = list(by_person.values())
        between = float(
            np.mean([mean_pairwise(a, b) for a, b in itertools.combinations(people, 2)])
        )
        within_sd = within / math.sqrt(2 * DIMENSIONS)
        between_sd = math.sqrt(max(between**2 / (2 * DIMENSIONS) - within_sd**2, 1e-6))
        measured = {
            "photos": len(everything),
            "people": len(people),
            "norm": round(float(np.linalg.norm(everything, axis=1).mean()), 3),
            "mean_vector_norm": round(float(np.linalg.norm(everything.mean(axis=0))), 3),
            "within_distance": round(within, 3),
            "between_distance": round(between, 3),
        }
        return cls(tuple(everything.mean(axis=0).tolist()), within_sd, between_sd, measured)

    def people(self, count: int, rng: np.random.Generator) -> np.ndarray:
        centre = np.asarray(self.mean)
        return centre + rng.normal(0, self.between_sd, (count, DIMENSIONS))

    def photos(self, centres: np.ndarray, per_person: int, rng: np.random.Generator):
        """(encodings float32 (N,128), labels 0..people-1)."""
        repeated = np.repeat(centres, per_person, axis=0)
        noise = rng.normal(0, self.within_sd, repeated.shape)
        labels = np.repeat(np.arange(len(centres)), per_person)
        return (repeated + noise).astype(np.float32), labels

    def describe(self, rng: np.random.Generator, people: int = 200) -> dict:
        """The noise levels, what the sample faces showed, and the same statistics measured
        on synthetic people to show they match."""
        encodings, labels = self.photos(self.people(people, rng), 5, rng)
        groups = [encodings[labels == i] for i in range(people)]
        between = [np.linalg.norm(groups[i][0] - groups[i + 1][0]) for i in range(people - 1)]
        return {
            "within_sd_per_dimension": round(self.within_sd, 4),
            "between_sd_per_dimension": round(self.between_sd, 4),
            "measured_on_samples": self.measured,
            "synthetic": {
                "norm": round(float(np.linalg.norm(encodings, axis=1).mean()), 3),
                "within_distance": round(mean_pairwise(groups), 3),
                "between_distance": round(float(np.mean(between)), 3),
            },
        }


def _warm_sklearn() -> None:
    """Import scikit-learn and threadpoolctl before timing (the first import costs ~1 s)."""
    from recognition import classifier

    rng = np.random.default_rng(0)
    encodings, labels = rng.normal(size=(6, DIMENSIONS)), np.array([0, 0, 1, 1, 2, 2])
    classifier.train(encodings, labels)
    liblinear_rows(encodings, labels)


def liblinear_rows(encodings, labels, neighbours=20, threads=2):
    """The trainer classifier.train replaced, kept as the baseline: each person's row is a
    LinearSVC (liblinear; C=1, dual=True, tol=1e-3) fit on a working set (the photos of the
    `neighbours` people nearest by mean encoding, then every encoding inside the row's
    margin, until none is), the fits on `threads` threads. Returns (coef, intercept)."""
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    features = np.asarray(encodings, dtype=np.float64)
    person_ids, person_of = np.unique(labels, return_inverse=True)
    people = len(person_ids)
    photos = [np.flatnonzero(person_of == p) for p in range(people)]
    means = np.array([features[rows].mean(axis=0) for rows in photos])
    squared = np.einsum("ij,ij->i", means, means)
    distances = squared[:, None] - 2 * means @ means.T + squared[None, :]
    np.fill_diagonal(distances, -np.inf)  # the person first
    count = min(neighbours, people - 1)
    nearest = np.argpartition(distances, count, axis=1)[:, : count + 1]
    working = [np.concatenate([photos[n] for n in near]) for near in nearest]
    coef, intercept = np.zeros((people, features.shape[1])), np.zeros(people)

    def fit(person):
        rows = working[person]
        svm = LinearSVC(C=1.0, dual=True, tol=1e-3, max_iter=5000, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(features[rows], (person_of[rows] == person).astype(np.int8))
        coef[person], intercept[person] = svm.coef_[0], svm.intercept_[0]

    todo = list(range(people))
    with ThreadPoolExecutor(threads) as pool:
        while todo:
            list(pool.map(fit, todo))
            decisions = features @ coef[todo].T + intercept[todo]
            again = []
            for column, person in enumerate(todo):
                inside = (decisions[:, column] > -1.0) & (person_of != person)
                new = np.setdiff1d(np.flatnonzero(inside), working[person])
                if len(new):
                    working[person] = np.concatenate([working[person], new])
                    again.append(person)
            todo = again
    return coef.astype(np.float32), intercept.astype(np.float32)


def _clocked(function, *args):
    """(what the function returned, wall seconds, CPU seconds of this process: every thread)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_trainer(space: EncodingSpace, sizes, probes: int, timed_probes: int = 200) -> list:
    """classifier.train against the trainer it replaced (liblinear_rows), on the same roster
    of each size (5 photos a person) in the same run: wall and CPU seconds, the largest
    difference between their rows, and how many (person, candidate) decisions differ for
    `probes` genuine faces, strangers and look-alikes (new people near enrolled ones, most
    just beyond the tolerance); then identify() of one face at a time with the new model."""
    from recognition import classifier

    _warm_sklearn()
    rng, rows = np.random.default_rng(4), []
    for size in sizes:
        centres = space.people(size, rng)
        encodings, labels = space.photos(centres, 5, rng)
        model, wall, cpu = _clocked(classifier.train, encodings, labels)
        (coef, intercept), old_wall, old_cpu = _clocked(liblinear_rows, encodings, labels)
        old = classifier.TrainedModel(model.person_ids, encodings, labels, coef, intercept)
        genuine, _ = space.photos(centres[rng.integers(0, size, probes)], 1, rng)
        strangers, _ = space.photos(space.people(probes, rng), 1, rng)
        near = centres[rng.integers(0, size, probes)] + rng.normal(
            0, space.between_sd, (probes, DIMENSIONS)
        )
        changed = {}
        for kind, faces in (("genuine", genuine), ("strangers", strangers), ("near", near)):
            ours, theirs = (classifier.identify(m, faces, 0.6) for m in (model, old))
            changed[kind] = sum(
                (a.person_id, a.candidate_id) != (b.person_id, b.candidate_id)
                for a, b in zip(ours, theirs, strict=True)
            )
        seconds = [
            timed(classifier.identify, model, genuine[i : i + 1], 0.6)[1]
            for i in range(min(timed_probes, probes))
        ]
        rows.append(
            {
                "people": size,
                "encodings": len(labels),
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "old_wall_s": round(old_wall, 2),
                "old_cpu_s": round(old_cpu, 2),
                "wall_ratio": round(wall / old_wall, 2),
                "cpu_ratio": round(cpu / old_cpu, 2),
                "max_coef_difference": float(f"{np.abs(model.coef - coef).max():.1e}"),
                "probes": probes,
                "changed": changed,
                "identify_p50_ms": ms(percentile(seconds, 50), 3),
                "identify_p95_ms": ms(percentile(seconds, 95), 3),
            }
        )
    return rows


def bench_training(space: EncodingSpace, sizes, reps_for, extrapolate_to=()) -> list[dict]:
    """classifier.train on courses of `sizes` people (5 photos each), reps_for(size) runs
    each; then the seconds for `extrapolate_to` people by the growth between the two largest
    sizes (fitting them would take minutes to hours: seconds grow about as people²)."""
    from recognition import classifier

    _warm_sklearn()
    rng, rows, fits = np.random.default_rng(1), [], []
    for size in sizes:
        encodings, labels = space.photos(space.people(size, rng), 5, rng)
        seconds = [timed(classifier.train, encodings, labels)[1] for _ in range(reps_for(size))]
        fits.append((size, percentile(seconds, 50)))
        row = {"people": size, "encodings": len(labels), "how": "classifier.train"}
        rows.append({**row, "train_s": round(fits[-1][1], 3), "n": len(seconds), "note": ""})
    (n1, t1), (n2, t2) = fits[-2:]
    exponent = math.log(t2 / t1) / math.log(n2 / n1)
    for size in extrapolate_to:
        note = f"not run: extrapolated as people^{exponent:.2f}"
        seconds = round(t2 * (size / n2) ** exponent)
        row = {"people": size, "encodings": size * 5, "how": "classifier.train"}
        rows.append({**row, "train_s": seconds, "n": 0, "note": note})
    return rows


def constructed_model(centres: np.ndarray, encodings: np.ndarray, labels: np.ndarray):
    """A TrainedModel with the arrays train() would give, without the SVM fit.

    The SVM rows are nearest-centroid rows (w = centre, b = -|centre|²/2), so the argmax
    names the nearest centre: the same shapes and the same work for identify().
    """
    from recognition import classifier

    centres = centres.astype(np.float32)
    return classifier.TrainedModel(
        person_ids=np.arange(len(centres)),
        encodings=encodings,
        labels=labels,
        coef=centres,
        intercept=-0.5 * np.einsum("ij,ij->i", centres, centres),
    )


def bench_identify(space: EncodingSpace, sizes, probes: int, trained_up_to: int, tolerance=0.6):
    """identify() of one face at a time against rosters of `sizes` people."""
    from recognition import classifier

    _warm_sklearn()
    rng = np.random.default_rng(2)
    rows = []
    for size in sizes:
        centres = space.people(size, rng)
        encodings, labels = space.photos(centres, 5, rng)
        if size <= trained_up_to:
            model, how = classifier.train(encodings, labels), "classifier.train"
        else:
            model, how = constructed_model(centres, encodings, labels), "arrays, centroid rows"
        who = rng.integers(0, size, probes)
        known, _ = space.photos(centres[who], 1, rng)
        strangers, _ = space.photos(space.people(probes, rng), 1, rng)
        seconds, right, unknown = [], 0, 0
        for index in range(probes):
            (match,), took = timed(classifier.identify, model, known[index : index + 1], tolerance)
            seconds.append(took)
            right += match.person_id == int(who[index])
            unknown += classifier.identify(model, strangers[index], tolerance)[0].person_id is None
        rows.append(
            {
                "people": size,
                "encodings": len(labels),
                "model": how,
                "n": probes,
                "p50_ms": ms(percentile(seconds, 50), 3),
                "p95_ms": ms(percentile(seconds, 95), 3),
                "known_identified": round(right / probes, 3),
                "strangers_unknown": round(unknown / probes, 3),
            }
        )
    return rows


def main(argv=None) -> int:
    """`python -m bench.training [--quick]`: this section alone (bench_trainer), printed."""
    import argparse
    import json

    from bench import frames, run
    from recognition import faces

    parser = argparse.ArgumentParser(prog="python -m bench.training", description=main.__doc__)
    parser.add_argument("--quick", action="store_true", help="the sizes of `bench.run --quick`")
    sizes = run.Sizes.quick() if parser.parse_args(argv).quick else run.Sizes()
    config = faces.FaceConfig.from_settings()
    by_person: dict[str, list] = {}
    for person, path in frames.enrollment_photos():
        by_person.setdefault(person, []).append(
            faces.encode_enrollment_photo(path, config).encoding
        )
    space = EncodingSpace.from_samples(by_person)
    for row in bench_trainer(space, sizes.trainer_sizes, sizes.trainer_probes):
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
