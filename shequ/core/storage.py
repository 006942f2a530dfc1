"""The private file storage: files that are never served or read by others (encrypted import uploads, assessment
evidence). `STORAGES["private"]` says where (`shequ.core.sharedstate`): a path every node and worker mounts
(`PRIVATE_ROOT`), or an S3-compatible bucket. Code reaches it only through `private_storage` and the storage API
(open, save, delete, listdir, get_modified_time), never through a local path, so a worker on another machine reads
what a web node stored."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """`PRIVATE_ROOT` (followed when a test moves it): files 0600 in 0700 directories, and no URL."""

    def __init__(self, location=None, file_permissions_mode=0o600, directory_permissions_mode=0o700, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, file_permissions_mode=file_permissions_mode,
                         directory_permissions_mode=directory_permissions_mode, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.SHEQU_PRIVATE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "SHEQU_PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("private files have no URL: serve them through a view that checks who asks")


class _PrivateStorage(LazyObject):
    """`storages["private"]`, looked up when first used and again after the STORAGES setting changes (as Django's
    `default_storage` does), so a FileField declared with it follows the configuration."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = _PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty
