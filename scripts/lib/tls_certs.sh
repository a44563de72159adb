# shellcheck shell=bash
# Test certificates, made with openssl into a folder of the test's (never
# committed): make_test_certs DIR makes there
#   ca.pem, ca.key            a test CA (ECDSA P-256)
#   server.pem, server.key    a server certificate of that CA for
#                             10.0.0.2, 10.0.0.1, 10.1.0.2, 127.0.0.1, localhost
#                             and miou.test, valid 2025-01-01 to
#                             2036-01-01 (the sim platform's wall clock
#                             starts on 2026-01-01)
#   expired.pem, expired.key  the same names, valid only in 2020
#   other-ca.pem              another CA, which nobody trusts
#   other.pem, other.key      a certificate of the other CA, same names
#   tls.img, expired.img, other.img
#                             each chain and key as the https example's
#                             "tls" disk: PEM text padded to 8 KiB
# Returns 0, or 1 with openssl's complaint in DIR/openssl.log.
make_test_certs() {
    local dir=$1 name
    cat >"$dir/ca.cnf" <<'CNF'
[ca]
default_ca = test
[test]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:10.0.0.2, IP:fd00::2, IP:10.0.0.1, IP:10.1.0.2, IP:127.0.0.1, DNS:localhost, DNS:miou.test
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
    (
        cd "$dir" || exit 1
        : >index.txt
        echo 1000 >serial
        ec() { openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
            openssl pkcs8 -topk8 -nocrypt -out "$1"; }
        # A CA: its key, its self-signed certificate (by openssl ca too,
        # for the dates).
        ca() {
            ec "$1.key" &&
                openssl req -new -key "$1.key" -subj "/CN=$2" -config ca.cnf \
                    -out "$1.csr" &&
                openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" \
                    -cert /dev/null -extensions ca_ext -startdate 20250101000000Z \
                    -enddate 20360101000000Z -in "$1.csr" -out "$1.pem" -notext
        }
        # NAME CA START END: a server certificate signed by CA.
        cert() {
            ec "$1.key" &&
                openssl req -new -key "$1.key" -subj "/CN=miou.test" \
                    -config ca.cnf -out "$1.csr" &&
                openssl ca -batch -config ca.cnf -cert "$2.pem" -keyfile "$2.key" \
                    -extensions server -startdate "$3" -enddate "$4" \
                    -in "$1.csr" -out "$1.pem" -notext
        }
        ca ca "miou-solo5 test CA" && ca other-ca "someone else's CA" &&
            cert server ca 20250101000000Z 20360101000000Z &&
            cert expired ca 20200101000000Z 20210101000000Z &&
            cert other other-ca 20250101000000Z 20360101000000Z
    ) >"$dir/openssl.log" 2>&1 || return 1
    for name in server expired other; do
        cat "$dir/$name.pem" "$dir/$name.key" >"$dir/$name.img" &&
            truncate -s 8K "$dir/$name.img" || return 1
    done
    mv "$dir/server.img" "$dir/tls.img"
}
