"""What the live session page shows of faces the model was unsure of: pending reviews next
to the student's enrollment photo, and the count of unrecognised attempts."""

from django.db.models import Count, Max
from django.template.loader import render_to_string

from attendance.reviews import likeness, pending_reviews
from dashboard.selectors import first_ready_photos


def review_rows(session) -> list[dict]:
    reviews = list(pending_reviews(session))
    photos = first_ready_photos({review.candidate_id for review in reviews})
    tolerance, margin = session.course.effective_tolerance, session.course.review_margin
    return [
        {
            "review": review,
            "photo": photos.get(review.candidate_id),
            "likeness": likeness(review.distance, tolerance=tolerance, margin=margin),
        }
        for review in reviews
    ]


def attempts_summary(session) -> dict:
    totals = session.unrecognised_attempts.aggregate(count=Count("pk"), last=Max("seen_at"))
    return {"count": totals["count"], "last": totals["last"]}


def render_reviews(request, session) -> str:
    context = {
        "session": session,
        "review_rows": review_rows(session),
        "attempts": attempts_summary(session),
    }
    return render_to_string("dashboard/_reviews.html", context, request=request)
