#!/usr/bin/env bash
# make_test_ca.sh DIR: a throw-away test CA and a server certificate for 127.0.0.1
# and localhost signed by it, plus an RSA key for signing test ID tokens (JWTs).
#   DIR/ca.pem ca.key            the CA (give ca.pem to the program as outbound.ca_file)
#   DIR/server.pem server.key    the server certificate (SAN IP:127.0.0.1, DNS:localhost)
#   DIR/wronghost.pem .key       signed by the CA for wrong.example.com only
#   DIR/other-ca.pem other-ca.key an unrelated CA, for "TLS verification fails" tests
#   DIR/jwt.key                  RSA key the fake provider publishes as JWKS
#   DIR/other-jwt.key            an RSA key nobody publishes
# TLS keys are EC P-256 (quick to make); the JWT keys RSA, as RS256 needs.
# Existing files are kept, so it is cheap to call again.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
need_tool openssl openssl
dir=$(abs_dir "$1")
cd "$dir"
umask 077

if [ ! -s ca.pem ] || [ ! -s server.pem ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 30 \
        -subj "/CN=socialauth-fcgi test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
        -subj "/CN=127.0.0.1" 2>/dev/null
    cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out server.pem -days 30 -extfile server.ext 2>/dev/null
    rm -f server.csr server.ext ca.srl
fi
if [ ! -s wronghost.pem ]; then
    # signed by the test CA, but for another name: hostname verification must fail
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout wronghost.key -out wronghost.csr \
        -subj "/CN=wrong.example.com" 2>/dev/null
    printf 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:wrong.example.com\n' >wronghost.ext
    openssl x509 -req -in wronghost.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out wronghost.pem -days 30 -extfile wronghost.ext 2>/dev/null
    rm -f wronghost.csr wronghost.ext ca.srl
fi
if [ ! -s other-ca.pem ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key -out other-ca.pem \
        -days 30 -subj "/CN=unrelated test CA" 2>/dev/null
fi
for k in jwt.key other-jwt.key; do
    [ -s $k ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $k 2>/dev/null
done
chmod 644 ca.pem other-ca.pem server.pem wronghost.pem
openssl verify -CAfile ca.pem server.pem >/dev/null ||
    die "the generated server certificate does not verify against the test CA"
echo "test CA in $dir"
