#!/usr/bin/env bash
# Prints the public key (SPKI PEM, "BEGIN PUBLIC KEY") of an Ed25519 signing key
# made by `auth-service generate-signing-key`: what goes into the
# AUTH_PREVIOUS_PUBLIC_KEYS_FILE of a key rotation (deploy/README.md).
#
#   scripts/signing-public-key.sh key.pem        (or the PEM on stdin)
#
# `openssl pkey -pubout` alone refuses these keys with OpenSSL 3.0 ("unsupported"):
# they are PKCS#8 v2 (RFC 5958, with the public key attached). So the 32-byte seed
# is taken out and put into a v1 PKCS#8 structure first. Needs openssl and od.
set -euo pipefail

pem=$(cat -- "${1:-/dev/stdin}")
grep -q -- '-----BEGIN PRIVATE KEY-----' <<<"$pem" || {
    echo "signing-public-key: not a PKCS#8 PEM private key" >&2
    exit 1
}
der_hex=$(sed -e '/-----/d' <<<"$pem" | openssl base64 -d | od -An -v -tx1 | tr -d ' \n')
# AlgorithmIdentifier id-Ed25519 (06032b6570), then OCTET STRING { OCTET STRING (32) }.
prefix=300506032b657004220420
[[ "$der_hex" == *"$prefix"* ]] || {
    echo "signing-public-key: not an Ed25519 PKCS#8 key" >&2
    exit 1
}
seed=${der_hex#*"$prefix"}
seed=${seed:0:64}
((${#seed} == 64)) || {
    echo "signing-public-key: truncated key" >&2
    exit 1
}
v1_hex="302e020100${prefix}${seed}"
# shellcheck disable=SC2059,SC2001 # the format is the hex turned into \x escapes on purpose
printf "$(sed 's/../\\x&/g' <<<"$v1_hex")" | openssl pkey -inform DER -pubout
