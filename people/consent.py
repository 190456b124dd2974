"""Withdrawing consent stops recognition at once.

`withdraw_consent` is the one way consent is withdrawn (API, dashboard, admin): it deletes the
person's enrollment photos and so their encodings (each deleted photo's file is removed and its
courses retrain, people.signals), clears the date, and sends `consent_withdrawn` so the apps
above this one erase what they hold of the face (attendance: pending reviews and their crops).
Check-in meanwhile never marks a person without consent, even while a model trained before
the withdrawal still knows their face.
"""

from django.db import transaction
from django.dispatch import Signal

from people.access import check_may_change
from people.models import Person

consent_withdrawn = Signal()  # sent with person=, inside the withdrawal's transaction


@transaction.atomic
def withdraw_consent(*, person: Person, by=None) -> int:
    """Clear the consent; returns how many photos were deleted with it.

    `by` is the teacher asking: a student shared with another teacher's course is refused
    (access.SharedWithOthers) unless they see everyone; None is an administrator's tool.
    """
    check_may_change(person=person, user=by)
    photos = list(person.photos.all())
    for photo in photos:
        photo.delete()  # its signal removes the file and retrains the person's courses
    person.consent_recorded_on = None
    person.save(update_fields=["consent_recorded_on", "updated_at"])
    consent_withdrawn.send(sender=Person, person=person)
    return len(photos)
