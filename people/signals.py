"""Keep classifiers and files in step with the data, however it changes (API, admin, shell),
and remember at login that a generated password must be changed.

Every path that changes whose encodings a course holds requests a (coalesced) training, and
a deleted photo's file is removed from storage once the deletion is committed.
"""

from functools import partial

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, pre_delete
from django.dispatch import receiver

from people import accounts
from people.models import Course, EnrollmentPhoto, Person
from people.training import request_training, request_training_for_person


@receiver(post_delete, sender=EnrollmentPhoto)
def photo_deleted(sender, instance: EnrollmentPhoto, **kwargs):
    if instance.image:
        storage, name = instance.image.storage, instance.image.name
        transaction.on_commit(partial(storage.delete, name))
    if instance.encoding is not None:
        request_training_for_person(instance.person_id)


@receiver(pre_delete, sender=Person)
def person_deleting(sender, instance: Person, **kwargs):
    """Captured before the cascade removes the roster rows."""
    request_training(instance.courses.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Course.roster.through)
def roster_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        request_training(instance.courses.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        request_training(pk_set if reverse else [instance.pk])
    elif action == "post_clear" and not reverse:
        request_training([instance.pk])


@receiver(user_logged_in, dispatch_uid="remember-must-change-password")
def logged_in(sender, request, user, **kwargs):
    accounts.remember_at_login(user=user, session=request.session)
