"""SMTP on 1025, messages kept in memory and shown on 8025 in Mailpit's JSON shapes (field names as
Mailpit's API v1 gives them), so that a test written against Mailpit reads this stand-in alike."""
import email, email.policy, email.utils, html, json, threading, uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from aiosmtpd.controller import Controller

messages, lock = [], threading.Lock()


def address(a):
    return {"Name": a[0], "Address": a[1]}


class Catcher:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        html_body = msg.get_body(preferencelist=("html",))
        item = {
            "ID": uuid.uuid4().hex, "MessageID": (msg["Message-ID"] or "").strip("<>"),
            "From": address(email.utils.parseaddr(msg["From"] or "")),
            "To": [address(a) for a in email.utils.getaddresses(msg.get_all("To", []))],
            "Subject": str(msg["Subject"] or ""), "Created": datetime.now(timezone.utc).isoformat(),
            "Size": len(envelope.content),
            "Text": body.get_content() if body else "", "HTML": html_body.get_content() if html_body else "",
        }
        item["Snippet"] = item["Text"][:250]
        with lock:
            messages.insert(0, item)
        return "250 Message accepted"


class Web(BaseHTTPRequestHandler):
    def send(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            items = list(messages)
        summary = [{k: v for k, v in m.items() if k not in ("Text", "HTML")} for m in items]
        if self.path in ("/livez", "/readyz"):
            self.send(200, "ok", "text/plain")
        elif self.path.startswith("/api/v1/messages"):
            self.send(200, {"total": len(items), "unread": len(items), "count": len(items), "messages_count": len(items),
                            "start": 0, "tags": [], "messages": summary})
        elif self.path.startswith("/api/v1/message/"):
            found = [m for m in items if m["ID"] == self.path.rsplit("/", 1)[1]]
            self.send(200, found[0]) if found else self.send(404, "not found", "text/plain")
        elif self.path == "/":
            rows = "".join(f"<tr><td>{html.escape(m['Created'])}</td><td>{html.escape(', '.join(t['Address'] for t in m['To']))}</td>"
                           f"<td>{html.escape(m['Subject'])}</td><td><pre>{html.escape(m['Text'])}</pre></td></tr>" for m in items)
            self.send(200, f"<!doctype html><title>Mail</title><h1>{len(items)} messages</h1>"
                           f"<table border=1><tr><th>received</th><th>to</th><th>subject</th><th>text</th></tr>{rows}</table>", "text/html")
        else:
            self.send(404, "not found", "text/plain")

    def do_DELETE(self):
        if self.path == "/api/v1/messages":
            with lock:
                messages.clear()
            self.send(200, "ok", "text/plain")
        else:
            self.send(404, "not found", "text/plain")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    smtp = Controller(Catcher(), hostname="0.0.0.0", port=1025)
    smtp.start()
    print("mail catcher: SMTP on 1025, web on 8025", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 8025), Web).serve_forever()
