from datetime import timedelta

import numpy as np
import pytest
from django.db import IntegrityError, transaction

from attendance.models import AttendanceRecord
from recognition import encoding
from tests.factories import PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_record_for_a_person_in_a_session():
    session = SessionFactory()
    person = PersonFactory()
    AttendanceRecord.objects.create(session=session, person=person, status="present", method="face")
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceRecord.objects.create(
            session=session, person=person, status="late", method="manual"
        )
    assert AttendanceRecord.objects.filter(session=session, person=person).count() == 1


def test_the_database_refuses_a_session_that_ends_before_it_starts():
    session = SessionFactory()
    session.ends_at = session.starts_at - timedelta(minutes=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()


def test_an_encoding_is_stored_as_512_bytes_and_read_back_exactly():
    vectors = np.random.default_rng(1).normal(size=(2, 128)).astype(np.float32)
    packed = [encoding.pack(vector) for vector in vectors]
    assert [len(blob) for blob in packed] == [512, 512]
    np.testing.assert_array_equal(encoding.unpack_many(packed), vectors)


def test_packing_refuses_a_vector_of_the_wrong_size():
    with pytest.raises(ValueError, match="expected 128 values"):
        encoding.pack(np.zeros(127))


def test_each_session_gets_its_own_unguessable_kiosk_token():
    first, second = SessionFactory(), SessionFactory()
    assert first.kiosk_token != second.kiosk_token
    assert len(first.kiosk_token) >= 40


def test_a_check_in_after_the_threshold_is_late():
    session = SessionFactory(late_after_minutes=10)
    assert not session.is_late(session.starts_at + timedelta(minutes=9))
    assert session.is_late(session.starts_at + timedelta(minutes=11))
