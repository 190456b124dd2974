"""Without e-mail delivery the invitation page shows each pending invitation's link to copy;
a teacher of a course adds a co-teacher from the course page, and nobody else can."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from people import services
from people.access import NotTeachingCourse
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITE = {"full_name": "Grace Hopper", "username": "ghopper", "email": "grace@school.example"}


def test_without_email_the_invitation_page_offers_the_link_to_copy(client, superuser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    client.force_login(superuser)
    response = client.post(reverse("dashboard:teacher-invite"), INVITE, follow=True)
    page = response.content.decode()
    assert "E-mail is not set up on this server" in page
    assert "Copy invitation link" in page and "js/copy_link.js" in page
    link = re.search(r'value="http://testserver(/accounts/reset/[^"]+)"', page).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()  # the link works


def test_with_email_delivery_no_link_is_shown(client, superuser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.force_login(superuser)
    user = get_user_model().objects.create_user(username="ghopper", email="grace@school.example")
    user.set_unusable_password()
    user.save()
    page = client.get(reverse("dashboard:teacher-invite")).content.decode()
    assert "Resend the invitation" in page
    assert "Copy invitation link" not in page and "/accounts/reset/" not in page


def test_a_teacher_adds_a_co_teacher_by_username_or_email(teacher_client, teacher, course):
    colleague = UserFactory(username="kjohnson", email="katherine@school.example")
    url = reverse("dashboard:co-teacher-add", args=[course.pk])
    response = teacher_client.post(url, {"teacher": "KATHERINE@school.example"}, follow=True)
    assert "kjohnson teaches Mathematics 1 too now." in response.content.decode()
    assert set(course.teachers.all()) == {teacher, colleague}
    page = teacher_client.get(reverse("dashboard:course", args=[course.pk])).content.decode()
    assert 'id="teachers"' in page and "kjohnson" in page


def test_an_unknown_teacher_is_named_in_the_error(teacher_client, course):
    url = reverse("dashboard:co-teacher-add", args=[course.pk])
    response = teacher_client.post(url, {"teacher": "nobody"}, follow=True)
    assert "No teacher account has the username or e-mail “nobody”" in response.content.decode()
    assert course.teachers.count() == 1


def test_a_teacher_who_does_not_teach_the_course_cannot_add_anyone(client, other_teacher, course):
    client.force_login(other_teacher)
    url = reverse("dashboard:co-teacher-add", args=[course.pk])
    assert client.post(url, {"teacher": "other_teacher"}).status_code == 404
    assert other_teacher not in course.teachers.all()
    with pytest.raises(NotTeachingCourse):  # the rule itself, for every entry point
        services.add_co_teacher(
            course=course, name_or_email="other_teacher", added_by=other_teacher
        )
    assert other_teacher not in CourseFactory().teachers.all()
