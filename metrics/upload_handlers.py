"""Stop reading an uploaded file at the size limit, instead of storing all of it first."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimit(FileUploadHandler):
    """Runs before Django's own handlers: counts each file's bytes as they arrive and skips the
    file once it passes ``UPLOAD_MAX_BYTES``, so no more of it is kept in memory or on disk.
    The form then finds no file, and ``request.upload_too_large`` says why."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
