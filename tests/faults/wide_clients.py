#!/usr/bin/env python3
# wide_clients.py OUT BYTES [short]: writes a clients file of at most BYTES
# bytes whose clients carry realistic, wide registration metadata (RFC 7591
# section 2, OpenID Connect Dynamic Client Registration 1.0 section 2,
# Front- and Back-Channel Logout), about 2 KiB and 40 members each, of
# which endsession reads three.  With "short", 60 members of short values
# each (flags, small numbers, short strings and lists), minified: the
# shape that costs a JSON tree the most per byte.  For measuring the
# memory --check needs (README, "Limits").
import json
import sys

out, limit = sys.argv[1], int(sys.argv[2])
short = len(sys.argv) > 3 and sys.argv[3] == "short"


def short_client(i):
    c = {
        "client_id": "rp%d" % i,
        "client_name": "RP %d" % i,
        "post_logout_redirect_uris": ["https://rp%d.example/bye" % i],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "require_auth_time": True,
        "default_max_age": 3600,
        "backchannel_logout_session_required": True,
        "frontchannel_logout_session_required": False,
        "id_token_signed_response_alg": "RS256",
    }
    for k in range(50):
        c["x%d" % k] = [True, 1, "a", [0, 1], None][k % 5]
    return c


def client(i):
    base = "https://rp%d.example.com" % i
    return {
        "client_id": "rp-%08d" % i,
        "client_name": "Relying Party %d" % i,
        "client_name#fr": "Partie utilisatrice %d" % i,
        "post_logout_redirect_uris": [base + "/logout", base + "/bye"],
        "redirect_uris": [base + "/cb", base + "/cb2", base + "/oidc/cb"],
        "client_uri": base + "/",
        "logo_uri": base + "/logo.png",
        "policy_uri": base + "/privacy",
        "tos_uri": base + "/terms",
        "contacts": ["ops@rp%d.example.com" % i, "security@rp%d.example.com" % i],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "openid profile email offline_access",
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "RS256",
        "jwks_uri": base + "/.well-known/jwks.json",
        "jwks": {"keys": [{"kty": "RSA", "kid": "k%d" % i, "use": "sig",
                           "e": "AQAB", "n": ("x%07d" % i) * 43}]},
        "software_id": "4NRB1-0XZABZI9E6-5SM3R-%d" % i,
        "software_version": "2.%d.1" % (i % 10),
        "application_type": "web",
        "subject_type": "pairwise",
        "sector_identifier_uri": base + "/sector.json",
        "id_token_signed_response_alg": "RS256",
        "userinfo_signed_response_alg": "RS256",
        "request_object_signing_alg": "RS256",
        "default_max_age": 86400,
        "require_auth_time": True,
        "default_acr_values": ["urn:mace:incommon:iap:silver"],
        "initiate_login_uri": base + "/login",
        "request_uris": [base + "/request.jwt"],
        "frontchannel_logout_uri": base + "/fc",
        "frontchannel_logout_session_required": True,
        "backchannel_logout_uri": base + "/bc",
        "backchannel_logout_session_required": True,
        "client_id_issued_at": 1700000000 + i,
        "client_secret_expires_at": 0,
        "registration_client_uri": "https://op.example/register/rp-%08d" % i,
        "x_tenant": "tenant-%d" % (i % 97),
        "x_notes": "registered by the onboarding pipeline, ticket %d" % i,
        "x_enabled": True,
    }


with open(out, "w") as f:
    f.write('{"clients": [\n')
    n = 0
    size = len('{"clients": [\n') + len("\n]}\n")
    while True:
        if short:
            s = json.dumps(short_client(n), separators=(",", ":"))
        else:
            s = json.dumps(client(n), indent=1)
        if size + len(s) + 2 > limit:
            break
        f.write((",\n" if n else "") + s)
        size += len(s) + (2 if n else 0)
        n += 1
    f.write("\n]}\n")
print("%s: %d clients" % (out, n), file=sys.stderr)
