"""Fixtures of the service tests."""

import pytest

from tests.conftest import image_folder_storage


@pytest.fixture
def image_store(settings, tmp_path):
    """Kept images go to a folder of this test only (the ``images`` storage, configured as in production),
    so that a test can count the files."""
    settings.STORAGES = {**settings.STORAGES, "images": image_folder_storage(tmp_path / "images")}
    return tmp_path / "images"
