#!/usr/bin/env python3
"""An SMTP server for tests: accepts every mail on 127.0.0.1 and writes it to a
directory, one file per mail.

    smtp-sink.py DIR [PORT]

PORT 0 (the default) picks a free port. Once listening, prints `port N` on
stdout. Each mail is written as DIR/NNNN.eml (the message as received) and
DIR/NNNN.json (envelope sender and recipients), each file renamed into place
complete, .json last, so a reader that sees the .json sees the whole mail.
Runs until killed.
"""

import asyncio
import json
import os
import sys

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    sys.stderr.write("aiosmtpd is missing: run scripts/install-test-deps.sh\n")
    sys.exit(3)


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    def _write(self, name, data):
        path = os.path.join(self.directory, name)
        with open(path + ".tmp", "wb") as out:
            out.write(data)
        os.replace(path + ".tmp", path)

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = "%04d" % self.count
        self._write(stem + ".eml", envelope.original_content or envelope.content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        self._write(stem + ".json", json.dumps(meta).encode())
        return "250 OK"


async def main():
    directory = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    os.makedirs(directory, exist_ok=True)
    handler = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", decode_data=False),
        host="127.0.0.1",
        port=port,
        reuse_address=True,
    )
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
