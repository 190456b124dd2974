"""Every API endpoint and every page × anonymous, the owning teacher, another teacher, the
session's kiosk credential, a superuser, and two staff users who are not superusers: one
with no permission at all, one with `people.see_everyone` and `auth.add_user`.

Other teachers get 404, never 403, so that a URL does not even confirm that a record exists.
`is_staff` alone only opens the admin site: such a user reaches what a teacher of nothing
reaches, and is refused the all-courses export and teacher invitations. Unless a row says
otherwise, plain staff get what another teacher gets, and staff with the two permissions what
a superuser gets. Each (row, role) pair runs on fresh rows, so the mutating calls cannot
disturb each other.
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from attendance.kiosk_enrollment import open_enrollment_kiosk
from attendance.models import AttendanceSession, ClassPhoto, PendingReview
from people.models import EnrollmentPhoto, RosterImportJob
from tests.factories import CourseFactory, PersonFactory, SessionFactory, UserFactory

ROLES = ("anonymous", "owner", "other_teacher", "kiosk", "superuser", "staff", "staff_permitted")

OK = "ok"  # 2xx
DENIED = "denied"  # API: 401 or 403
MISSING = "404"
INVALID = "400"  # got past authorization, refused on its content
CONFLICT = "409"  # got past authorization, refused for the object's state
LOGIN = "login"  # page: redirect to the login page
ADMIN_LOGIN = "admin-login"


def row(
    method,
    url,
    anonymous,
    owner,
    other_teacher,
    kiosk,
    superuser,
    *,
    staff=None,
    staff_permitted=None,
    data=None,
):
    staff = other_teacher if staff is None else staff
    staff_permitted = superuser if staff_permitted is None else staff_permitted
    answers = (anonymous, owner, other_teacher, kiosk, superuser, staff, staff_permitted)
    expected = dict(zip(ROLES, answers, strict=True))
    return pytest.param(method, url, data, expected, id=f"{method} {url}")


API_ITEM = (DENIED, OK, MISSING, DENIED, OK)
API_ITEM_INVALID = (DENIED, INVALID, MISSING, DENIED, INVALID)  # past authorization, no input
API_LIST = (DENIED, OK, OK, DENIED, OK)  # another teacher's list holds none of ours
PAGE = (LOGIN, OK, MISSING, LOGIN, OK)

TABLE = [
    # --- API ---
    row("get", "/api/people/", *API_LIST),
    row(
        "post",
        "/api/people/",
        DENIED,
        OK,
        OK,
        DENIED,
        OK,
        data={"full_name": "N", "external_id": "X1"},
    ),
    row("get", "/api/people/{person}/", *API_ITEM),
    row("patch", "/api/people/{person}/", *API_ITEM, data={"email": "a@school.example"}),
    row("delete", "/api/people/{person}/", *API_ITEM),
    row("get", "/api/people/{person}/photos/", *API_ITEM),
    row("post", "/api/people/{person}/photos/", DENIED, INVALID, MISSING, DENIED, INVALID),
    row("get", "/api/photos/", *API_LIST),
    row("get", "/api/photos/{photo}/", *API_ITEM),
    row("delete", "/api/photos/{photo}/", *API_ITEM),
    row("get", "/api/courses/", *API_LIST),
    row("post", "/api/courses/", DENIED, OK, OK, DENIED, OK, data={"name": "New course"}),
    row("get", "/api/courses/{course}/", *API_ITEM),
    row("patch", "/api/courses/{course}/", *API_ITEM, data={"name": "Renamed"}),
    row("delete", "/api/courses/{course}/", *API_ITEM),
    row("get", "/api/courses/{course}/classifier/", *API_ITEM),
    row("get", "/api/sessions/", *API_LIST),
    row("get", "/api/sessions/{session}/", *API_ITEM),
    row("patch", "/api/sessions/{session}/", *API_ITEM, data={"title": "Renamed"}),
    row("delete", "/api/sessions/{session}/", *API_ITEM),
    row("post", "/api/sessions/{session}/open/", *API_ITEM),
    row("post", "/api/sessions/{session}/close/", *API_ITEM),
    row("post", "/api/sessions/{session}/checkin/", DENIED, INVALID, MISSING, INVALID, INVALID),
    row(
        "post",
        "/api/sessions/{other_session}/checkin/",
        DENIED,
        MISSING,
        INVALID,
        MISSING,
        INVALID,
        staff=MISSING,
    ),
    row("get", "/api/sessions/{session}/attendance/", *API_ITEM),
    row(
        "post",
        "/api/sessions/{session}/attendance/",
        *API_ITEM,
        data={"person": "{person}", "status": "excused"},
    ),
    row("post", "/api/sessions/{session}/rotate-kiosk-token/", *API_ITEM),
    row("get", "/api/sessions/{session}/reviews/", *API_ITEM),
    row("get", "/api/reviews/{review}/", *API_ITEM),
    row("get", "/api/reviews/{review}/crop/", *API_ITEM),
    row("post", "/api/reviews/{review}/confirm/", *API_ITEM),
    row("post", "/api/reviews/{review}/reject/", *API_ITEM),
    row("post", "/api/photos/{photo}/keep/", DENIED, CONFLICT, MISSING, DENIED, CONFLICT),
    row("post", "/api/courses/{course}/roster-import/", DENIED, INVALID, MISSING, DENIED, INVALID),
    row("post", "/api/courses/{course}/photo-import/", DENIED, INVALID, MISSING, DENIED, INVALID),
    row("get", "/api/roster-imports/{roster_import}/", *API_ITEM),
    row("post", "/api/sessions/{session}/class-photos/", DENIED, INVALID, MISSING, DENIED, INVALID),
    row("get", "/api/sessions/{session}/class-photos/", *API_ITEM),
    row("get", "/api/sessions/{session}/class-photos/{class_photo}/", *API_ITEM),
    row(
        "post",
        "/api/sessions/{session}/class-photos/{class_photo}/assign/",
        DENIED,
        INVALID,
        MISSING,
        DENIED,
        INVALID,
    ),
    row("post", "/api/courses/{course}/enrollment-kiosk/", *API_ITEM),
    row("delete", "/api/courses/{course}/enrollment-kiosk/", *API_ITEM),
    row("post", "/api/courses/{course}/enrollment-kiosk/frames/", *API_ITEM_INVALID),
    row("get", "/api/courses/{course}/enrollment-kiosk/progress/", *API_ITEM_INVALID),
    row("get", "/api/schema/", DENIED, OK, OK, DENIED, OK),
    row("get", "/api/docs/", DENIED, OK, OK, DENIED, OK),
    # --- pages ---
    row("get", "/", LOGIN, OK, OK, LOGIN, OK),
    row("get", "/courses/{course}/", *PAGE),
    row("get", "/courses/{course}/status.json", *PAGE),
    row("get", "/courses/{course}/report/", *PAGE),
    row("get", "/courses/{course}/report.csv", *PAGE),
    row("get", "/sessions/{session}/", *PAGE),
    row("get", "/sessions/{session}/status.json", *PAGE),
    row("post", "/sessions/{session}/open/", *PAGE),
    row("post", "/sessions/{session}/kiosk-link/", *PAGE),
    row("post", "/reviews/{review}/confirm/", *PAGE),
    row("post", "/reviews/{review}/reject/", *PAGE),
    row("post", "/courses/{course}/photos/{photo}/keep/", *PAGE),
    row("get", "/courses/{course}/calibration/", *PAGE),
    row("post", "/courses/{course}/calibration/level/", *PAGE, data={"level": "strict"}),
    row("post", "/courses/{course}/teachers/", *PAGE, data={"teacher": "staff"}),
    row("get", "/photos/{photo}/image", *PAGE),
    row("get", "/courses/{course}/import/", *PAGE),
    row("get", "/courses/{course}/photo-import/", *PAGE),
    row("get", "/courses/{course}/students/{person}/history/", *PAGE),
    row("get", "/courses/{course}/students/{person}/remove/", *PAGE),
    row("post", "/courses/{course}/start/", *PAGE),
    row("get", "/sessions/{session}/close/", *PAGE),
    row("get", "/sessions/{session}/kiosk-link/", *PAGE),
    row("post", "/sessions/{session}/reopen/", *PAGE),
    row("get", "/account/", LOGIN, OK, OK, LOGIN, OK),
    row("get", "/teachers/invite/", LOGIN, DENIED, DENIED, LOGIN, OK, staff=DENIED),
    row("get", "/reports/all-courses.csv", LOGIN, DENIED, DENIED, LOGIN, OK, staff=DENIED),
    row("get", "/kiosk/{token}/", OK, OK, OK, OK, OK),
    row("post", "/courses/{course}/enroll-kiosk/open/", *PAGE),
    row("post", "/courses/{course}/enroll-kiosk/close/", *PAGE),
    row("get", "/enroll-kiosk/{enroll_token}/", OK, OK, OK, OK, OK),
    # the stored file itself is never public, whatever the URL
    row("get", "/media/{photo_file}", *(MISSING,) * 5),
    row("get", "/{photo_file}", *(MISSING,) * 5),
    # The admin site opens for staff; its pages follow the admin's model permissions.
    row("get", "/admin/", *(ADMIN_LOGIN,) * 4, OK, staff=OK),
    row(
        "get",
        "/admin/people/person/{person}/change/",
        *(ADMIN_LOGIN,) * 4,
        OK,
        staff=DENIED,
        staff_permitted=DENIED,
    ),
    row("get", "/healthz", OK, OK, OK, OK, OK),
]


@pytest.fixture
def world(db, shared_faces):
    owner = UserFactory(username="owner")
    other = UserFactory(username="other")
    UserFactory(username="superuser", is_staff=True, is_superuser=True)
    UserFactory(username="staff", is_staff=True)
    permitted = UserFactory(username="staff_permitted", is_staff=True)
    permitted.user_permissions.add(
        Permission.objects.get(codename="see_everyone", content_type__app_label="people"),
        Permission.objects.get(codename="add_user", content_type__app_label="auth"),
    )
    person = PersonFactory(created_by=owner)
    course = CourseFactory(teachers=[owner], roster=[person])
    photo = EnrollmentPhoto(person=person)
    photo.image.save("face.jpg", (shared_faces / "enroll" / "obama" / "obama.jpg").open("rb"))
    session = SessionFactory(course=course)
    other_session = SessionFactory(course=CourseFactory(teachers=[other]))
    review = PendingReview(session=session, candidate=person, distance=0.63)
    review.crop.save("face.jpg", (shared_faces / "enroll" / "obama" / "obama.jpg").open("rb"))
    class_photo = ClassPhoto.objects.create(session=session, status="done")
    enroll_kiosk = open_enrollment_kiosk(course=course, opened_by=owner)
    roster_import = RosterImportJob.objects.create(course=course, created_by=owner, total=1)
    return {
        "roster_import": roster_import.pk,
        "enroll_token": enroll_kiosk.token,
        "class_photo": class_photo.pk,
        "person": person.pk,
        "photo": photo.pk,
        "course": course.pk,
        "session": session.pk,
        "other_session": other_session.pk,
        "token": session.kiosk_token,
        "photo_file": photo.image.name,
        "review": review.pk,
    }


def client_as(role: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    users = {"owner": "owner", "other_teacher": "other", "superuser": "superuser"}
    users |= {"staff": "staff", "staff_permitted": "staff_permitted"}
    if role in users:
        client.force_login(get_user_model().objects.get(username=users[role]))
    if role == "kiosk":
        token = AttendanceSession.objects.order_by("pk").first().kiosk_token
        client.defaults["HTTP_AUTHORIZATION"] = f"Kiosk {token}"
    return client


def outcome(response) -> str:
    code = response.status_code
    location = response.headers.get("Location", "")
    if code == 302 and location.startswith("/admin/login/"):
        return ADMIN_LOGIN
    if code == 302 and location.startswith("/accounts/login/"):
        return LOGIN
    if code in (401, 403):
        return DENIED
    if 200 <= code < 400:
        return OK
    return str(code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), TABLE)
def test_who_gets_what(world, role, method, url, data, expected):
    client = client_as(role)
    body = {key: str(value).format(**world) for key, value in (data or {}).items()}
    send = getattr(client, method)
    if url.startswith("/api/") and method in ("post", "patch", "put"):
        response = send(url.format(**world), json.dumps(body), content_type="application/json")
    else:
        response = (
            send(url.format(**world), body) if method == "post" else send(url.format(**world))
        )
    if hasattr(response, "streaming_content"):
        response.close()
    assert outcome(response) == expected[role], (role, method, url, response.status_code)
