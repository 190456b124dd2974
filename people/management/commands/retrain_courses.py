from django.core.management import BaseCommand

from people.models import Course
from people.training import request_training, train_course_now


class Command(BaseCommand):
    help = "Retrain every course's classifier (queued as tasks, or here and now with --now)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Train in this process.")

    def handle(self, *args, now: bool, **options):
        course_ids = list(Course.objects.values_list("pk", flat=True))
        if now:
            for course_id in course_ids:
                version = train_course_now(course_id=course_id)
                self.stdout.write(f"course {course_id}: version {version}")
        else:
            request_training(course_ids)
        self.stdout.write(self.style.SUCCESS(f"{len(course_ids)} courses retrained or queued."))
