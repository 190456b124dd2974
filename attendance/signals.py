"""A deleted person takes their check-in snapshots with them; a deleted review or attempt
takes its face crop (also when a session, course or person is deleted)."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from attendance.models import PendingReview, UnrecognisedAttempt
from attendance.reviews import delete_crop_file
from attendance.snapshots import delete_snapshots
from people.models import Person


@receiver(pre_delete, sender=Person)
def erase_snapshots_of_person(sender, instance: Person, **kwargs):
    delete_snapshots(instance.checkin_snapshots.all())


@receiver(post_delete, sender=PendingReview)
@receiver(post_delete, sender=UnrecognisedAttempt)
def crop_deleted(sender, instance, **kwargs):
    delete_crop_file(instance.crop)
