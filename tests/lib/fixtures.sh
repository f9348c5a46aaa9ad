# tests/lib/fixtures.sh - the one set of fixtures that every test suite,
# the demo and the benchmark start from: keys made at run time, their
# JWKS, a secret, the client registrations and a configuration.  Suites
# change what they test (a conf variant, another clients file) on top of
# it, so that key ids, client names and file names mean the same
# everywhere.
#
# Sourced by bash.  Needs ES_MINT (build/endsession-mint) and ES_ROOT.
#
# fixtures DIR ISSUER: writes into DIR (made if missing)
#   rsa.pem       RSA 2048, kid rsa1 ("use":"sig"); rsa.pub its public half
#                 (PEM); signing-key.pem a link to it
#   p256.pem      EC P-256, kid ec1
#   p384.pem      EC P-384, kid ec384 ("use":"sig")
#   ed.pem        Ed25519, kid ed1
#   jwks.json     the four public keys
#   secret        48 random bytes
#   clients.json  demo-rp (its first URI $ES_RP_URI, default
#                 https://rp.example/signed-out), other-rp, app, q (a URI
#                 with a query), other, xss (a name full of HTML)
#   endsession.conf  issuer, the files above, the tree's templates,
#                 session_cookies op_session __Host-op_csrf, sid_cookie
#                 op_sid, journal journal.log
# Returns false when anything fails.
fixtures() {
	local d=$1 iss=$2
	mkdir -p "$d" || return 1
	(
	cd "$d" || exit 1
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out rsa.pem 2>/dev/null &&
	openssl pkey -in rsa.pem -pubout -out rsa.pub &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out p256.pem 2>/dev/null &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
	    -out p384.pem 2>/dev/null &&
	openssl genpkey -algorithm ed25519 -out ed.pem 2>/dev/null &&
	ln -sf rsa.pem signing-key.pem &&
	openssl rand 48 > secret &&
	printf '{"keys":[%s,%s,%s,%s]}\n' \
	    "$("$ES_MINT" jwk -k rsa.pem -i rsa1 -u sig)" \
	    "$("$ES_MINT" jwk -k p256.pem -i ec1)" \
	    "$("$ES_MINT" jwk -k p384.pem -i ec384 -u sig)" \
	    "$("$ES_MINT" jwk -k ed.pem -i ed1)" > jwks.json &&
	cat > clients.json <<JSON &&
{"clients": [
  {"client_id": "demo-rp", "client_name": "Demo Relying Party",
   "post_logout_redirect_uris": ["${ES_RP_URI:-https://rp.example/signed-out}",
                                 "https://rp.example/cb?x=1"]},
  {"client_id": "other-rp", "client_name": "Other RP",
   "post_logout_redirect_uris": ["https://other.example/bye"]},
  {"client_id": "app",
   "client_name": "Example App",
   "post_logout_redirect_uris": ["https://app.example/logout",
                                 "https://app.example/bye"]},
  {"client_id": "q",
   "client_name": "Query RP",
   "post_logout_redirect_uris": ["https://rp.example/cb?x=1"]},
  {"client_id": "other",
   "post_logout_redirect_uris": ["https://other.example/"]},
  {"client_id": "xss",
   "client_name": "<script>alert(1)</script> & \"Co\" 'x'",
   "post_logout_redirect_uris": ["https://xss.example/"]}
]}
JSON
	cat > endsession.conf <<CONF
# written by tests/lib/fixtures.sh
issuer = $iss
clients = clients.json
jwks = jwks.json
secret = secret
templates = $ES_ROOT/templates
session_cookies = op_session __Host-op_csrf
sid_cookie = op_sid
journal = journal.log
CONF
	) || return 1
	chmod 0644 "$d"/*.json "$d"/endsession.conf
	chmod 0755 "$d"
}
