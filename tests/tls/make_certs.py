#!/usr/bin/env python3
"""tests/tls/make_certs.py - the certificates of the TLS tests, made at test
time by openssl into a directory: a root CA, an intermediate, and leaf
certificates (DNS and IP names, RSA and ECDSA keys, expired, not yet valid,
for another name, self-signed, signed with SHA-1).

    make_certs.py DIR     writes DIR/<name>.pem, DIR/<name>.key and
                          DIR/<name>-chain.pem (leaf + intermediate)

Every leaf but 'self' is issued by the intermediate, which the root signs;
clients trust root.pem only. The names with 127.0.0.1 also carry 10.0.2.2:
the host as a QEMU guest on user-mode networking sees it. Idempotent: a
complete DIR less than a week old and made by this VERSION of the script is
left alone (the current certificates are valid for 30 days). Suites that
share DIR and run at once (tests/run_tests.py -j) make it one at a time
(tests/lib/filelock.py): the others wait and then find it complete.
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from filelock import held  # noqa: E402

VERSION = "2"  # bumped when the set of certificates or names changes

# name: (key, subjectAltName, start, end, digest); start/end None: now-1d..now+30d
LEAVES = {
    "leaf-rsa": ("rsa", "DNS:localhost,IP:127.0.0.1,IP:10.0.2.2", None, None, "sha256"),
    "leaf-ec": ("ec", "DNS:localhost,IP:127.0.0.1,IP:10.0.2.2", None, None, "sha256"),
    "leaf-ip": ("ec", "IP:127.0.0.1", None, None, "sha256"),
    "leaf-dns": ("ec", "DNS:localhost", None, None, "sha256"),
    "leaf-other": ("ec", "DNS:other.example", None, None, "sha256"),
    "leaf-expired": ("ec", "DNS:localhost,IP:127.0.0.1,IP:10.0.2.2", "20200101000000Z",
                     "20250101000000Z", "sha256"),
    "leaf-future": ("ec", "DNS:localhost,IP:127.0.0.1,IP:10.0.2.2", "20900101000000Z",
                    "20910101000000Z", "sha256"),
    "leaf-sha1": ("rsa", "DNS:localhost,IP:127.0.0.1,IP:10.0.2.2", None, None, "sha1"),
}

CONFIG = """
[ca]
default_ca = ca_sect
[ca_sect]
database = {d}/index.txt
new_certs_dir = {d}/issued
serial = {d}/serial
policy = policy_any
default_days = 30
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
"""


def run(*args, env=None):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, env=env)


def key(d, name, kind):
    if kind == "rsa":
        run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
            "-out", f"{d}/{name}.key")
    else:
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", f"{d}/{name}.key")


def issue(d, name, cn, issuer, ext, san="", start=None, end=None, digest="sha256"):
    """Makes d/name.pem for d/name.key, signed by issuer (None: itself)."""
    env = dict(os.environ, SAN=san or "DNS:unused")
    run("req", "-new", "-config", f"{d}/ca.cnf", "-key", f"{d}/{name}.key",
        "-subj", f"/CN={cn}", "-out", f"{d}/{name}.csr", env=env)
    args = ["ca", "-batch", "-notext", "-config", f"{d}/ca.cnf", "-in", f"{d}/{name}.csr",
            "-out", f"{d}/{name}.pem", "-extensions", ext, "-md", digest]
    if issuer is None:
        args += ["-selfsign", "-keyfile", f"{d}/{name}.key"]
    else:
        args += ["-cert", f"{d}/{issuer}.pem", "-keyfile", f"{d}/{issuer}.key"]
    if start:
        args += ["-startdate", start, "-enddate", end]
    else:
        args += ["-days", "30"]
    run(*args, env=env)
    os.remove(f"{d}/{name}.csr")


def is_current(d):
    """d is complete, made by this VERSION less than a week ago."""
    done = f"{d}/.complete"
    if not os.path.exists(done) or time.time() - os.path.getmtime(done) >= 7 * 86400:
        return False
    with open(done) as f:
        return f.read().strip() == VERSION


def make_all(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(f"{d}/issued", exist_ok=True)
    with open(f"{d}/ca.cnf", "w") as f:
        f.write(CONFIG.format(d=d))
    open(f"{d}/index.txt", "w").close()
    with open(f"{d}/serial", "w") as f:
        f.write("1000\n")
    key(d, "root", "rsa")
    issue(d, "root", "KPIO Test Root", None, "v3_root")
    key(d, "int", "ec")
    issue(d, "int", "KPIO Test Intermediate", "root", "v3_int")
    for name, (kind, san, start, end, digest) in LEAVES.items():
        key(d, name, kind)
        issue(d, name, name, "int", "v3_leaf", san, start, end, digest)
        with open(f"{d}/{name}-chain.pem", "w") as out:
            out.write(open(f"{d}/{name}.pem").read() + open(f"{d}/int.pem").read())
    key(d, "self", "ec")
    issue(d, "self", "localhost", None, "v3_leaf", "DNS:localhost,IP:127.0.0.1,IP:10.0.2.2")
    with open(f"{d}/.complete", "w") as f:
        f.write(VERSION + "\n")


def main():
    d = os.path.abspath(sys.argv[1])
    with held(d):
        if not is_current(d):
            make_all(d)


if __name__ == "__main__":
    main()
