from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    """The face pipeline: no models of its own (its migrations only keep the history of the
    classifier table, now `people`'s)."""

    name = "recognition"
    verbose_name = "Face recognition"

    def ready(self):
        from django.core.signals import setting_changed

        from recognition import checks, config, images  # noqa: F401 (checks registers itself)

        setting_changed.connect(config.forget_on_setting_change)
        images.guard_pillow(config.FaceConfig.from_settings())
