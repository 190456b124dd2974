"""What the live session page shows of faces the model was unsure of: pending reviews next
to the student's enrollment photo, and the count of unrecognised attempts."""

from django.template.loader import render_to_string

from attendance.reviews import likeness, pending_reviews
from people.models import EnrollmentPhoto


def review_rows(session) -> list[dict]:
    rows = []
    tolerance, margin = session.course.effective_tolerance, session.course.review_margin
    for review in pending_reviews(session):
        photo = (
            EnrollmentPhoto.objects.filter(
                person=review.candidate, status=EnrollmentPhoto.Status.READY
            )
            .order_by("uploaded_at", "pk")
            .only("pk")
            .first()
        )
        words = likeness(review.distance, tolerance=tolerance, margin=margin)
        rows.append({"review": review, "photo": photo, "likeness": words})
    return rows


def attempts_summary(session) -> dict:
    attempts = session.unrecognised_attempts.order_by("-seen_at")
    return {"count": attempts.count(), "last": attempts.values_list("seen_at", flat=True).first()}


def render_reviews(request, session) -> str:
    context = {
        "session": session,
        "review_rows": review_rows(session),
        "attempts": attempts_summary(session),
    }
    return render_to_string("dashboard/_reviews.html", context, request=request)
