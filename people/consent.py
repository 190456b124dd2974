"""Withdrawing consent stops recognition at once (issue 10, point 11).

Clearing a person's `consent_recorded_on`, through any path (API, dashboard, admin, shell),
deletes their enrollment photos and so their encodings: the photo signals remove the files
and retrain every course that used them. Check-in meanwhile never marks a person without
consent, even while a model trained before the withdrawal still knows their face.
"""

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from people.models import EnrollmentPhoto, Person


@transaction.atomic
def withdraw_consent(*, person: Person) -> int:
    """Clear the consent; returns how many photos were deleted with it."""
    count = person.photos.count()
    person.consent_recorded_on = None
    person.save(update_fields=["consent_recorded_on", "updated_at"])
    return count


@receiver(pre_save, sender=Person, dispatch_uid="consent-withdrawal-detect")
def _note_withdrawal(sender, instance: Person, update_fields=None, **kwargs):
    instance._consent_withdrawn = False
    if instance.pk is None or instance.consent_recorded_on is not None:
        return
    if update_fields is not None and "consent_recorded_on" not in update_fields:
        return
    had = sender.objects.filter(pk=instance.pk, consent_recorded_on__isnull=False).exists()
    instance._consent_withdrawn = had


@receiver(post_save, sender=Person, dispatch_uid="consent-withdrawal-delete-photos")
def _delete_photos_on_withdrawal(sender, instance: Person, **kwargs):
    if getattr(instance, "_consent_withdrawn", False):
        instance._consent_withdrawn = False
        for photo in EnrollmentPhoto.objects.filter(person=instance):
            photo.delete()  # its signal removes the file and retrains the person's courses
