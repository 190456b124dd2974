"""Training requests (people.training, a job of jobs.durable), rule by rule."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import durable
from people import model_cache, services, training
from people.models import CourseClassifier, EnrollmentPhoto, TrainingRequest
from recognition import faces
from tests.api.conftest import enroll_from_samples
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db(transaction=True)  # tasks are queued on commit

ENCODER = faces.FaceConfig.from_settings().encoder_name


def row_of(course) -> CourseClassifier:
    return CourseClassifier.objects.get(course=course)


@pytest.fixture
def course(teacher, sample_encodings, shared_faces):
    course = CourseFactory(teachers=[teacher])
    enroll_from_samples(course, ["obama", "biden"], sample_encodings, shared_faces)
    return course


def unfinished(course):
    return list(TrainingRequest.job_unfinished().filter(course=course))


def test_a_training_stands_down_while_a_photo_of_the_course_is_encoding(course):
    version = row_of(course).version
    busy = EnrollmentPhoto.objects.filter(person__courses=course).first()
    EnrollmentPhoto.objects.filter(pk=busy.pk).update(status="processing")
    request = TrainingRequest.objects.create(course=course)

    assert training.run_requested_training(request_id=request.pk) is None
    assert row_of(course).version == version
    request.refresh_from_db()
    assert request.state == "done"  # the last photo requests again
    assert unfinished(course) == []

    services.encode_photo(photo_id=busy.pk)  # it finishes: the course trains now
    assert unfinished(course) == []
    assert row_of(course).version == version  # same encodings as before: model kept


def test_requests_made_while_one_is_queued_merge_into_it(course, monkeypatch):
    sent = []
    monkeypatch.setattr(durable, "send", lambda task, pk: sent.append(pk))
    training.request_training([course.pk, course.pk])
    training.request_training([course.pk])
    [request] = unfinished(course)
    assert sent == [request.pk]
    assert request.state == "queued"


def test_a_new_encoding_trains_and_the_same_encodings_do_not(course, sample_encodings):
    version = row_of(course).version
    training.request_training([course.pk])
    assert row_of(course).version == version  # nothing changed since the stored model

    photo = EnrollmentPhoto.objects.filter(person__external_id="biden").first()
    photo.delete()
    assert row_of(course).version == version + 1
    assert row_of(course).photos_count == EnrollmentPhoto.objects.filter(status="ready").count()


def test_a_lost_request_is_sent_again_by_the_sweep(course, settings):
    version = row_of(course).version
    # As if the task was lost after the request was queued: it stays, the model is stale.
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALLED_AFTER_SECONDS + 1)
    request = TrainingRequest.objects.create(course=course, state_changed_at=long_ago)
    CourseClassifier.objects.filter(course=course).update(input_digest="")

    assert durable.sweep() == 1
    request.refresh_from_db()
    assert (request.state, request.attempts) == ("done", 1)
    assert row_of(course).version == version + 1


def test_a_training_that_keeps_failing_gives_up_instead_of_retrying_forever(course, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr("recognition.classifier.train", broken)
    EnrollmentPhoto.objects.filter(person__external_id="biden").first().delete()

    request = TrainingRequest.objects.filter(course=course).latest("pk")
    assert request.state == "failed"  # given up: the sweep will not resend it
    assert request.error == TrainingRequest.job_gave_up_reason
    assert request.attempts == TrainingRequest.job_max_attempts
    assert durable.sweep() == 0


def test_a_model_of_another_encoder_is_not_used_and_its_photos_are_re_encoded(course, settings):
    assert model_cache.current_model(course.pk, encoder=ENCODER)[1] is not None
    settings.FACE_ENCODING_JITTERS = 2  # changes every encoding: a new encoder name
    new_encoder = faces.FaceConfig.from_settings().encoder_name
    assert new_encoder != ENCODER

    assert model_cache.current_model(course.pk, encoder=new_encoder) == (0, None)
    assert services.reencode_outdated_photos() == 4
    photos = EnrollmentPhoto.objects.filter(person__courses=course)
    assert set(photos.values_list("status", "encoder")) == {("ready", new_encoder)}
    assert row_of(course).encoder == new_encoder
    assert model_cache.current_model(course.pk, encoder=new_encoder)[1] is not None
