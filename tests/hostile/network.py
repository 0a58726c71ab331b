# HOSTILE (threat 3): reach the network beyond the kernel's own loopback.
# Solution cell `run_in_threads`. The test listens on the host's 127.0.0.1:PORT (TCP
# and UDP) and on an abstract unix socket, and writes the port and a token in. The
# attack tries them and outside addresses, printing "CONNECTED ..." or "BLOCKED (...)";
# a server and a client on the kernel's own loopback must still work ("WORKS").
import socket
import threading

PORT = int("@PORT@")
TOKEN = "@TOKEN@"


def _attempt(what, connect):
    try:
        connect()
        print(f"HOSTILE net {what}: CONNECTED")
    except Exception as exc:
        print(f"HOSTILE net {what}: BLOCKED ({type(exc).__name__}: {exc})")


def _tcp(host, port):
    def connect():
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(f"hello from {TOKEN}\n".encode())
    return connect


def _udp():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(f"hello from {TOKEN}".encode(), ("127.0.0.1", PORT))
        s.settimeout(1)
        s.recvfrom(100)  # the host's listener answers every datagram


def _abstract():
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(f"\0threads101-hostile-{TOKEN}")
        s.sendall(TOKEN.encode())


_attempt(f"host tcp 127.0.0.1:{PORT}", _tcp("127.0.0.1", PORT))
_attempt(f"host udp 127.0.0.1:{PORT}", _udp)
_attempt("host abstract unix socket", _abstract)
_attempt("outside tcp 1.1.1.1:443", _tcp("1.1.1.1", 443))
_attempt("outside tcp 8.8.8.8:53", _tcp("8.8.8.8", 53))
_attempt("dns example.com", lambda: socket.getaddrinfo("example.com", 80))
try:
    _interfaces = [name for _i, name in socket.if_nameindex()]
except OSError:
    _interfaces = []
print(f"HOSTILE net interfaces: {_interfaces}")

# Its own loopback: what the download exercises' local server needs.
_server = socket.create_server(("127.0.0.1", 0))
_port = _server.getsockname()[1]


def _echo():
    conn, _ = _server.accept()
    with conn:
        conn.sendall(conn.recv(100).upper())


_echo_thread = threading.Thread(target=_echo, daemon=True)
_echo_thread.start()
try:
    with socket.create_connection(("127.0.0.1", _port), timeout=5) as _c:
        _c.sendall(b"ping")
        print(f"HOSTILE net own loopback: {'WORKS' if _c.recv(100) == b'PING' else 'FAILED'}")
except Exception as exc:
    print(f"HOSTILE net own loopback: FAILED ({exc})")
_echo_thread.join(5)
_server.close()


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=tuple(a)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return threads
