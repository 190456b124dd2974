"""A deleted person takes their check-in snapshots with them; a deleted review or attempt
takes its face crop (also when a session, course or person is deleted); a withdrawn consent
takes the person's pending reviews (their face crops can no longer be seen or confirmed)."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from attendance.models import PendingReview, UnrecognisedAttempt
from attendance.reviews import delete_crop_file
from attendance.snapshots import delete_snapshots
from people.consent import consent_withdrawn
from people.models import Person


@receiver(consent_withdrawn, dispatch_uid="consent-withdrawn-delete-reviews")
def delete_pending_reviews(sender, person: Person, **kwargs):
    PendingReview.objects.filter(candidate=person).delete()  # each crop goes with its row


@receiver(pre_delete, sender=Person)
def erase_snapshots_of_person(sender, instance: Person, **kwargs):
    delete_snapshots(instance.checkin_snapshots.all())


@receiver(post_delete, sender=PendingReview)
@receiver(post_delete, sender=UnrecognisedAttempt)
def crop_deleted(sender, instance, **kwargs):
    delete_crop_file(instance.crop)
