"""What the SVM adds to nearest-neighbour for the review band, on the real sample faces.

    .venv/bin/python -m bench.svm_band

Leave one person out: the course is trained on the other four enrolled people, so the
faces of the person left out (and the two strangers of the manifest) are impostors that
resemble someone on the roster. For every probe face it records the nearest-neighbour
distance, whether the SVM proposes the nearest neighbour's person, and the SVM's margin
(its best decision value minus the second best). Printed: how many genuine and impostor
faces each rule would send to review or name, at the default tolerance and band.
"""

import csv
import sys
from pathlib import Path

import numpy as np

from recognition import classifier, faces

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "faces"
TOLERANCE, MARGIN = 0.6, 0.06


def encode_samples():
    config = faces.FaceConfig()
    enrolled = [
        (path.parent.name, faces.encode_enrollment_photo(path, config).encoding)
        for path in sorted(SAMPLES.glob("enroll/*/*"))
    ]
    probes = []
    with (SAMPLES / "manifest.csv").open() as handle:
        for row in csv.DictReader(handle):
            image = faces.load_image(SAMPLES / row["file"], config)
            for face in faces.find_faces(image, config):
                probes.append((row["file"], face.encoding))
    return enrolled, probes


def truth_of(file, encoding, enrolled):
    """The person of a probe face: its nearest enrolled person over everyone (all sample
    faces are identified correctly that way, see the sample README), or None beyond 0.6."""
    distances = [(float(np.linalg.norm(e - encoding)), name) for name, e in enrolled]
    distance, name = min(distances)
    return name if distance <= TOLERANCE else None


def measure():
    enrolled, probes = encode_samples()
    people = sorted({name for name, _ in enrolled})
    rows = []
    for left_out in people:
        kept = [(n, e) for n, e in enrolled if n != left_out]
        ids = {name: i for i, name in enumerate(sorted({n for n, _ in kept}))}
        model = classifier.train([e for _, e in kept], [ids[n] for n, _ in kept])
        for file, encoding in probes:
            truth = truth_of(file, encoding, enrolled)
            (match,) = classifier.identify(model, [encoding], TOLERANCE)
            decision = model.coef @ encoding + model.intercept
            top2 = np.sort(decision)[-2:]
            distances = np.linalg.norm(model.encodings - encoding, axis=1)
            nearest = int(model.labels[distances.argmin()])
            svm_choice = int(model.person_ids[decision.argmax()])
            rows.append(
                {
                    "genuine": truth is not None and truth != left_out,
                    "distance": float(distances.min()),
                    "agrees": svm_choice == nearest,
                    "margin": float(top2[1] - top2[0]),
                    "candidate": match.candidate_id is not None,
                }
            )
    return rows


def report(rows) -> None:
    genuine = [r for r in rows if r["genuine"]]
    impostor = [r for r in rows if not r["genuine"]]
    print(f"{len(rows)} probe decisions (5 leave-one-person-out courses x the manifest's faces)")
    print(f"genuine {len(genuine)}, impostor {len(impostor)}")
    for label, group in (("genuine", genuine), ("impostor", impostor)):
        agree = sum(r["agrees"] for r in group)
        margins = np.array([r["margin"] for r in group])
        distances = np.array([r["distance"] for r in group])
        print(
            f"{label}: SVM agrees with nearest neighbour {agree}/{len(group)}; margin "
            f"min {margins.min():.2f} median {np.median(margins):.2f}; distance min "
            f"{distances.min():.2f} median {np.median(distances):.2f}"
        )
    band = [r for r in impostor if TOLERANCE < r["distance"] <= TOLERANCE + MARGIN]
    named = [r for r in impostor if r["distance"] <= TOLERANCE]
    print(
        f"impostors within the tolerance (named by nearest neighbour alone): {len(named)}, "
        f"of which the SVM vetoes {sum(not r['agrees'] for r in named)}"
    )
    print(
        f"impostors in the band ({TOLERANCE}, {TOLERANCE + MARGIN:.2f}]: {len(band)}, "
        f"of which the SVM vetoes {sum(not r['agrees'] for r in band)}"
    )
    for width in (0.06, 0.10, 0.15, 0.20):
        wide = [r for r in impostor if TOLERANCE < r["distance"] <= TOLERANCE + width]
        vetoed = sum(not r["agrees"] for r in wide)
        print(f"  band width {width:.2f}: {len(wide)} impostors, {vetoed} vetoed by the SVM")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    report(measure())
