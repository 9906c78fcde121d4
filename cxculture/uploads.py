"""The app's request class: every file an upload was spooled into is closed with the request.

Werkzeug closes the files of a parsed upload when the request ends, but drops without closing
the spool file of a multipart body that was cut short (its parser gives up, silently, halfway
through the file): the handle, and above 500 KB a temporary file on disk, lived on until the
garbage collector found them."""

from __future__ import annotations

from typing import IO

from flask import Request


class UploadClosingRequest(Request):
    """Flask's request, remembering the streams it hands out for uploads and closing them all."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self.__dict__.setdefault("_upload_streams", []).append(stream)
        return stream

    def close(self) -> None:
        super().close()
        for stream in self.__dict__.pop("_upload_streams", []):
            stream.close()
