"""Rows for tests, built with factory_boy."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from attendance.models import AttendanceSession
from people.models import Course, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@school.example")
    password = factory.django.Password("correct horse battery")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name")
    external_id = factory.Sequence(lambda n: f"S{n:05d}")
    consent_recorded_on = factory.LazyFunction(lambda: timezone.localdate())


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Course {n}")
    liveness = "off"  # check-in marks at once; the liveness tests ask for "challenge"

    @factory.post_generation
    def teachers(self, create, extracted, **kwargs):
        if create and extracted:
            self.teachers.add(*extracted)

    @factory.post_generation
    def roster(self, create, extracted, **kwargs):
        if create and extracted:
            self.roster.add(*extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceSession

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + timedelta(hours=1))
    late_after_minutes = 10
