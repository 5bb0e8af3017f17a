"""kombu's filesystem transport (the no-server broker of `make run`), publishing atomically.

kombu writes a message file in place, so a worker polling the folder can take it while it is
still empty, fail to decode it, and die ("Unrecoverable error: JSONDecodeError"). Here a message
is written under a name the worker ignores and renamed into the queue once complete.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class FilesystemChannel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The same name kombu uses (the worker takes files in name order and by queue suffix).
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"  # does not end in ".<queue>.msg": the worker leaves it alone
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel
