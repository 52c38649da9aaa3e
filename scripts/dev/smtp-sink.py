#!/usr/bin/env python3
"""The demo's mailbox: a real SMTP server (aiosmtpd) on loopback that keeps every message in
a Maildir and prints who it is for, its subject and its attachments.

  smtp-sink.py --port 2525 --maildir demo-mail
"""
import argparse
import asyncio
import email
import email.policy
import mailbox

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path):
        self.box = mailbox.Maildir(path, create=True)

    async def handle_DATA(self, server, session, envelope):
        self.box.add(envelope.content)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        files = [p.get_filename() for p in msg.iter_attachments() if p.get_filename()]
        extra = f" [attached: {', '.join(files)}]" if files else ""
        print(f"mail: {msg['From']} → {', '.join(envelope.rcpt_tos)}: {msg['Subject']}{extra}"
              f"{' (Reply-To: ' + msg['Reply-To'] + ')' if msg['Reply-To'] else ''}", flush=True)
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--maildir", default="demo-mail")
    a = p.parse_args()
    c = Controller(Sink(a.maildir), hostname="127.0.0.1", port=a.port)
    c.start()
    print(f"mail sink: smtp://127.0.0.1:{a.port}, messages kept in {a.maildir}/new/", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()


if __name__ == "__main__":
    main()
