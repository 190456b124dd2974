"""A deleted person takes their check-in snapshots with them."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from attendance.snapshots import delete_snapshots
from people.models import Person


@receiver(pre_delete, sender=Person)
def erase_snapshots_of_person(sender, instance: Person, **kwargs):
    delete_snapshots(instance.checkin_snapshots.all())
