"""Every detection thread gets its HOG detector as a copy of one built per process: building
one decodes a model embedded in dlib (0.5 s idle, seconds on a busy machine), and the band
threads of a large frame used to pay that on their first frame."""

import threading

import dlib

from bench import recall
from recognition import detection, faces


def test_band_threads_copy_the_one_detector_built_per_process(monkeypatch):
    frame = recall.composite(1280, 720, [40] * 4, seed=40)  # large enough to run in bands
    expected = faces.detect_faces(frame.image)
    built = []
    real = dlib.get_frontal_face_detector

    def counting():
        built.append(threading.current_thread().name)
        return real()

    monkeypatch.setattr(dlib, "get_frontal_face_detector", counting)
    detection._built_hog_detector.cache_clear()
    monkeypatch.setattr(detection, "_thread_detectors", threading.local())  # new threads' state
    monkeypatch.setattr(detection, "_pool", None)  # and new band threads

    assert faces.detect_faces(frame.image) == expected
    assert len(built) == 1
    detection._built_hog_detector.cache_clear()
