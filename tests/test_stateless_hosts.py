"""What one request leaves for another lives where every host (and every process of a host)
finds it: settings for object storage read from the environment or secret files, a cache
shared by the processes, an encoder model built identically on each host."""

import hashlib
import uuid

import pytest

from tests.test_settings import _manage_check, _run_python, production_env

STORAGE_PROBE = """
import django
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(type(storage).__name__)
print(storage.bucket_name, storage.endpoint_url, storage.region_name)
print(storage.access_key, storage.secret_key, storage.file_overwrite, storage.default_acl)
"""


def test_s3_storage_is_configured_from_the_environment_and_a_secret_file(tmp_path):
    secret = tmp_path / "s3-secret"
    secret.write_text("from-the-file\n")
    result = _run_python(
        "-c",
        STORAGE_PROBE,
        MEDIA_STORAGE="s3",
        S3_BUCKET="school-media",
        S3_ENDPOINT_URL="http://10.0.0.5:9000",
        S3_ACCESS_KEY_ID="media-user",
        S3_SECRET_ACCESS_KEY_FILE=str(secret),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "S3Storage"
    assert lines[1] == "school-media http://10.0.0.5:9000 us-east-1"
    assert lines[2] == "media-user from-the-file False private"


def test_a_missing_secret_file_stops_the_start_up_with_its_name(tmp_path):
    result = _manage_check(
        MEDIA_STORAGE="s3", S3_BUCKET="b", S3_SECRET_ACCESS_KEY_FILE=str(tmp_path / "absent")
    )
    assert result.returncode != 0
    assert "S3_SECRET_ACCESS_KEY_FILE names a file that cannot be read" in result.stderr


def test_a_value_and_its_file_together_or_s3_without_a_bucket_stop_the_start_up(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("x")
    both = _manage_check(SECRET_KEY="inline", SECRET_KEY_FILE=str(secret))
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both" in both.stderr
    assert "S3_BUCKET must be set" in _manage_check(MEDIA_STORAGE="s3").stderr
    assert "MEDIA_STORAGE must be one of local, s3" in _manage_check(MEDIA_STORAGE="nfs").stderr


CACHE_WRITE = (
    "import django; django.setup(); from django.core.cache import cache; "
    "cache.set({key!r}, 'v', 60)"
)
CACHE_READ = (
    "import django; django.setup(); from django.core.cache import cache; "
    "print(cache.get({key!r})); cache.delete({key!r})"
)


def test_without_redis_production_processes_share_one_cache():
    """gunicorn's workers: a liveness challenge started in one is seen by the other."""
    key = f"shared-{uuid.uuid4().hex}"
    env = {**production_env(), "REDIS_URL": ""}
    assert _run_python("-c", CACHE_WRITE.format(key=key), **env).returncode == 0
    read = _run_python("-c", CACHE_READ.format(key=key), **env)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "v"


@pytest.mark.real_faces
def test_the_onnx_encoder_is_built_byte_for_byte_the_same_on_every_host():
    from recognition import dlib_weights, onnx_encoder

    source = onnx_encoder.source_weights_path()
    builds = {
        hashlib.sha256(
            onnx_encoder.build_model(dlib_weights.load(source)).SerializeToString()
        ).hexdigest()
        for _ in range(2)
    }
    assert len(builds) == 1
