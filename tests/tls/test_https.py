#!/usr/bin/env python3
"""tests/tls/test_https.py - `fetch https://...` under kpio-wasm against
openssl s_server on loopback, with curl --cacert as the oracle for every
case: the servers kpio-wasm accepts (TLS 1.3 only, TLS 1.2 only with
ECDHE-RSA-AES128-GCM and ECDHE-ECDSA-CHACHA20, a chain through the
intermediate, IP and DNS names, a large body whose SHA-256 must match, a
redirect from http to https) and the ones it refuses (self-signed, wrong
name, expired, not yet valid, missing intermediate, TLS 1.0 only, a body
cut without close_notify) with curl's exit code (60 certificate, 35 other
TLS), the right message and no output file. Certificates come from
tests/tls/make_certs.py. When jco is available (tests/apps/jco.py: JCO_DIR,
WASI_WIT), fetch also runs under jco on node with NODE_EXTRA_CA_CERTS and
must take the same accept/reject decision (jco's exit status is 0 or 1).

    test_https.py --build BUILD
"""
import argparse
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "apps"))
import httpserve  # noqa: E402
from tap import Tap  # noqa: E402

BIG = 16 << 20


class SServer:
    """openssl s_server -WWW serving files from root, on 127.0.0.1."""

    def __init__(self, certs, root, args):
        expanded = [os.path.join(certs, a[1:]) if a.startswith("@") else a for a in args]
        self.proc = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW", *expanded],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.port = None
        for line in self.proc.stdout:
            line = line.decode(errors="replace")
            if line.startswith("ACCEPT 127.0.0.1:"):
                self.port = int(line.strip().rsplit(":", 1)[1])
                break
        if not self.port:
            self.stop()
            raise RuntimeError("s_server did not start: " + " ".join(args))
        # Keep draining its output so that it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class CutServer(threading.Thread):
    """A TLS server that announces a body and closes the TCP connection
    halfway through it, without close_notify."""

    def __init__(self, certs):
        super().__init__(daemon=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(certs, "leaf-ec-chain.pem"),
                                 os.path.join(certs, "leaf-ec.key"))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.running = True

    def run(self):
        while self.running:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            try:
                conn = self.ctx.wrap_socket(raw, server_side=True)
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 40000)
                raw_fd = conn.detach()  # no close_notify: close the TCP socket under TLS
                socket.socket(fileno=raw_fd).close()
            except (OSError, ssl.SSLError):
                raw.close()

    def stop(self):
        self.running = False
        self.sock.close()


class Env:
    def __init__(self, build, work):
        self.build = build
        self.work = work
        self.certs = os.path.abspath(os.path.join(build, "tls", "certs"))
        self.kpio = os.environ.get("KPIO_WASM") or os.path.join(build, "rel", "bin", "kpio-wasm")
        self.fetch = os.path.join(build, "apps", "fetch.wasm")
        self.root = os.path.join(work, "www")
        self.out = os.path.join(work, "out")
        os.makedirs(self.root)
        os.makedirs(self.out)
        with open(os.path.join(self.root, "big.bin"), "wb") as f:
            f.write(os.urandom(BIG))
        with open(os.path.join(self.root, "small.txt"), "wb") as f:
            f.write(b"hello over TLS\n")

    def kpio_fetch(self, url, name, extra=()):
        """Runs fetch; returns (rc, stderr, the file's bytes or None)."""
        path = os.path.join(self.out, name)
        if os.path.exists(path):
            os.remove(path)
        cmd = [self.kpio, "--allow-net", "--dir", self.out + "::/out", "--cacert",
               os.path.join(self.certs, "root.pem"), *extra, self.fetch, "-q", url, "/out/" + name]
        env = dict(os.environ)  # the system's roots and --cacert's
        env.pop("SSL_CERT_FILE", None)
        env.pop("SSL_CERT_DIR", None)
        p = subprocess.run(cmd, capture_output=True, timeout=300, env=env)
        data = open(path, "rb").read() if os.path.exists(path) else None
        leftovers = [f for f in os.listdir(self.out) if f.endswith(".part")]
        if leftovers:
            raise AssertionError(f"partial files left: {leftovers}")
        return p.returncode, p.stderr.decode(errors="replace"), data

    def jco_fetch(self, url, name):
        """fetch under jco, trusting root.pem through node; returns (rc, the
        file's bytes or None), or None without jco."""
        if not self.jco_host:
            return None
        path = os.path.join(self.out, name)
        if os.path.exists(path):
            os.remove(path)
        cmd, env = self.jco_host.command("fetch", ["-q", url, "/data/" + name], {self.out: "/data"})
        env["NODE_EXTRA_CA_CERTS"] = os.path.join(self.certs, "root.pem")
        p = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
        data = open(path, "rb").read() if os.path.exists(path) else None
        return p.returncode, data

    def curl(self, url):
        p = subprocess.run(["curl", "-sS", "-L", "--cacert", os.path.join(self.certs, "root.pem"),
                            "-o", "-", url], capture_output=True, timeout=300)
        return p.returncode, p.stdout


def check_accept(t, e, name, args, host="127.0.0.1", path="small.txt", via=None):
    with t.case(f"accept: {name}"):
        s = SServer(e.certs, e.root, args)
        try:
            url = f"https://{host}:{s.port}/{path}"
            start = url if via is None else via(s.port)
            rc, err, data = e.kpio_fetch(start, "got")
            crc, cdata = e.curl(start)
            jr = e.jco_fetch(start, "jco-got")
        finally:
            s.stop()
        want = open(os.path.join(e.root, path), "rb").read()
        assert crc == 0, f"curl refused it ({crc}): the oracle disagrees with the case"
        assert rc == 0, f"fetch exit {rc}: {err}"
        assert data is not None and hashlib.sha256(data).digest() == hashlib.sha256(want).digest(), \
            "body differs"
        assert cdata == want, "curl's body differs"
        if jr is not None:
            assert jr[0] == 0 and jr[1] == want, f"jco disagrees: exit {jr[0]}"


def check_reject(t, e, name, args, code, message, host="127.0.0.1", server=None):
    with t.case(f"reject: {name}"):
        s = server or SServer(e.certs, e.root, args)
        try:
            url = f"https://{host}:{s.port}/small.txt"
            rc, err, data = e.kpio_fetch(url, "refused")
            crc, _ = e.curl(url)
            jr = e.jco_fetch(url, "jco-refused")
        finally:
            s.stop()
        assert crc == code, f"curl exit {crc}, expected {code}: the oracle disagrees"
        assert rc == code, f"fetch exit {rc}, expected {code}: {err}"
        assert message in err, f"no '{message}' in: {err}"
        assert data is None, "the output file exists"
        if jr is not None:
            assert jr[0] != 0 and jr[1] is None, f"jco accepted it (exit {jr[0]})"


def setup_jco(t, build, e):
    """Componentizes fetch for jco, or reports why jco is skipped."""
    e.jco_host = None
    try:
        from jco import Jco, JcoHost
    except ImportError as ex:
        t.skip("jco agrees with kpio-wasm", f"tests/apps/jco.py: {ex}")
        return None
    jco = Jco(build)
    why = os.environ.get("KPIO_APPS_JCO_SKIP") or jco.prepare()
    if why:
        t.skip("jco agrees with kpio-wasm", why)
        return jco
    comp, why = jco.componentize(e.fetch)
    if not comp:
        t.skip("jco agrees with kpio-wasm", why[-200:])
        return jco
    e.jco_host = JcoHost(jco, {"fetch": comp})
    t.diag("fetch also runs under jco on node (NODE_EXTRA_CA_CERTS) in every accept/reject case")
    return jco


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    t = Tap()
    for tool in ("openssl", "curl"):
        if not shutil.which(tool):
            t.skip("https", f"{tool} is not installed (scripts/setup.sh installs it)")
            sys.exit(t.done())
    subprocess.run([sys.executable, os.path.join(HERE, "make_certs.py"),
                    os.path.join(a.build, "tls", "certs")], check=True)
    with tempfile.TemporaryDirectory() as work:
        e = Env(a.build, work)
        jco = setup_jco(t, a.build, e)
        chain_ec = ["-cert", "@leaf-ec.pem", "-key", "@leaf-ec.key", "-cert_chain", "@int.pem"]
        chain_rsa = ["-cert", "@leaf-rsa.pem", "-key", "@leaf-rsa.key", "-cert_chain", "@int.pem"]
        check_accept(t, e, "TLS 1.3 only, chain through the intermediate", ["-tls1_3", *chain_ec])
        check_accept(t, e, "TLS 1.3 only, RSA certificate (rsa_pss_rsae signatures)",
                     ["-tls1_3", *chain_rsa])
        check_accept(t, e, "TLS 1.2 only, ECDHE-RSA-AES128-GCM",
                     ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", *chain_rsa])
        check_accept(t, e, "TLS 1.2 only, ECDHE-ECDSA-CHACHA20",
                     ["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", *chain_ec])
        check_accept(t, e, "IP name", ["-cert", "@leaf-ip.pem", "-key", "@leaf-ip.key",
                                       "-cert_chain", "@int.pem"])
        check_accept(t, e, "DNS name", ["-cert", "@leaf-dns.pem", "-key", "@leaf-dns.key",
                                        "-cert_chain", "@int.pem"], host="localhost")
        check_accept(t, e, f"{BIG >> 20} MiB body, SHA-256 matches", chain_ec, path="big.bin")
        red = {}

        def via_redirect(port):
            red["r"] = httpserve.Server().start()
            target = urllib.parse.quote(f"https://127.0.0.1:{port}/small.txt", safe="")
            return red["r"].url(f"/redirect/302?to={target}")
        try:
            check_accept(t, e, "redirect http -> https", chain_ec, path="small.txt",
                         via=via_redirect)
        finally:
            if "r" in red:
                red["r"].close()

        check_reject(t, e, "untrusted self-signed", ["-cert", "@self.pem", "-key", "@self.key"],
                     60, "certificate not trusted (self-signed)")
        check_reject(t, e, "wrong name", ["-cert", "@leaf-other.pem", "-key", "@leaf-other.key",
                                          "-cert_chain", "@int.pem"],
                     60, "certificate is for other.example, not 127.0.0.1")
        check_reject(t, e, "expired", ["-cert", "@leaf-expired.pem", "-key", "@leaf-expired.key",
                                       "-cert_chain", "@int.pem"],
                     60, "certificate expired on 2025-01-01")
        check_reject(t, e, "not yet valid", ["-cert", "@leaf-future.pem", "-key",
                                             "@leaf-future.key", "-cert_chain", "@int.pem"],
                     60, "certificate not valid before 2090-01-01")
        check_reject(t, e, "missing intermediate", ["-cert", "@leaf-ec.pem", "-key",
                                                    "@leaf-ec.key"],
                     60, "certificate not trusted (issued by CN=KPIO Test Intermediate")
        check_reject(t, e, "TLS 1.0 only", ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0", *chain_rsa],
                     35, "server requires TLS 1.0, which is not supported")
        cut = CutServer(e.certs)
        cut.start()
        with t.case("reject: body cut without close_notify"):
            url = f"https://127.0.0.1:{cut.port}/small.txt"
            rc, err, data = e.kpio_fetch(url, "cut")
            crc, _ = e.curl(url)
            assert crc != 0, "curl accepted a cut body"
            assert rc == 35, f"fetch exit {rc}: {err}"
            assert "without TLS close_notify" in err, err
            assert data is None, "the output file exists"
        cut.stop()
        with t.case("insecure: self-signed accepted, with a warning"):
            s = SServer(e.certs, e.root, ["-cert", "@self.pem", "-key", "@self.key"])
            try:
                rc, err, data = e.kpio_fetch(f"https://127.0.0.1:{s.port}/small.txt", "k",
                                             extra=["--insecure"])
            finally:
                s.stop()
            assert rc == 0 and data == b"hello over TLS\n", err
            assert "certificates are not checked" in err, err
        with t.case("trust store: a missing SSL_CERT_FILE is named"):
            p = subprocess.run([e.kpio, "--allow-net", e.fetch, "-q", "https://127.0.0.1:1/x"],
                               capture_output=True, timeout=60,
                               env=dict(os.environ, SSL_CERT_FILE="/nonexistent/bundle.pem"))
            err = p.stderr.decode(errors="replace")
            assert p.returncode != 0, err
            assert "/nonexistent/bundle.pem: No such file or directory" in err, err
        if jco:
            jco.close()
    sys.exit(t.done())


if __name__ == "__main__":
    main()
