#!/usr/bin/env python3
"""mkkeys.py DIR - mints, at run time, the provider's private signing keys
as a JWK Set (DIR/signing.jwk: RSA-2048 "rsa1", P-256 "ec1", Ed25519
"ed1") and the matching public JWK Set (DIR/jwks.json), plus a stranger's
key (DIR/stranger.jwk) whose public half is in no keys file."""
import base64
import json
import os
import sys

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives import serialization


def b64(n, size=None):
    if isinstance(n, int):
        size = size or (n.bit_length() + 7) // 8
        n = n.to_bytes(size, "big")
    return base64.urlsafe_b64encode(n).rstrip(b"=").decode()


def rsa_jwk(kid):
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p = k.private_numbers()
    pub = {"kty": "RSA", "kid": kid, "n": b64(p.public_numbers.n),
           "e": b64(p.public_numbers.e)}
    priv = dict(pub, d=b64(p.d), p=b64(p.p), q=b64(p.q), dp=b64(p.dmp1),
                dq=b64(p.dmq1), qi=b64(p.iqmp))
    return pub, priv


def ec_jwk(kid):
    k = ec.generate_private_key(ec.SECP256R1())
    p = k.private_numbers()
    pub = {"kty": "EC", "crv": "P-256", "kid": kid,
           "x": b64(p.public_numbers.x, 32), "y": b64(p.public_numbers.y, 32)}
    return pub, dict(pub, d=b64(p.private_value, 32))


def ed_jwk(kid):
    k = ed25519.Ed25519PrivateKey.generate()
    raw = k.private_bytes(serialization.Encoding.Raw,
                          serialization.PrivateFormat.Raw,
                          serialization.NoEncryption())
    x = k.public_key().public_bytes(serialization.Encoding.Raw,
                                    serialization.PublicFormat.Raw)
    pub = {"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(x)}
    return pub, dict(pub, d=b64(raw))


def main():
    d = sys.argv[1]
    keys = [rsa_jwk("rsa1"), ec_jwk("ec1"), ed_jwk("ed1")]
    with open(os.path.join(d, "jwks.json"), "w") as f:
        json.dump({"keys": [k[0] for k in keys]}, f)
    old = os.umask(0o077)
    with open(os.path.join(d, "signing.jwk"), "w") as f:
        json.dump({"keys": [k[1] for k in keys]}, f)
    with open(os.path.join(d, "stranger.jwk"), "w") as f:
        json.dump(ec_jwk("ec1")[1], f)
    os.umask(old)


main()
