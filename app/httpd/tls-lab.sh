#!/bin/sh
# SPDX-License-Identifier: MIT
# tls-lab.sh CA_DIR OUT_DIR NAME... -- the lab certificate of httpd's HTTPS
# when the site gives none (HTTPD_TLS_CERT empty): a lab CA in CA_DIR
# (httpd-lab-ca.pem and .key), made once and kept, then a server key and a
# certificate the CA signs for NAME... (host names and IPv4/IPv6 addresses,
# the first also its CN) in OUT_DIR (cert.pem, key.pem), also kept in CA_DIR
# for the next build with the same names.  ECDSA P-256, with the host's
# openssl.  See app/httpd/README.md, HTTPS.
set -eu
ca_dir=$1 out=$2
shift 2
ca=$ca_dir/httpd-lab-ca
warn() { echo "!!! WARNING: $*" >&2; }

if [ ! -s "$ca.pem" ] || [ ! -s "$ca.key" ]; then
	mkdir -p "$ca_dir"
	rm -f "$ca.pem" "$ca.key"
	(umask 077 && openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -sha256 -days 3650 -keyout "$ca.key.tmp" -out "$ca.pem.tmp" \
		-subj "/O=Tern lab/CN=Tern lab CA $(hostname) $(date -u +%Y-%m-%d)" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null)
	mv "$ca.key.tmp" "$ca.key"
	mv "$ca.pem.tmp" "$ca.pem"
	chmod 0644 "$ca.pem" # public: what clients are given
	warn "made a LAB certificate authority, $ca.pem (HTTPD_TLS_CERT is empty)."
	warn "Clients trust httpd's HTTPS once they trust it (curl --cacert $ca.pem)."
	warn "It is kept (make clean keeps $ca_dir); its key $ca.key signs for anything: lab only."
fi

mkdir -p "$out"
# The server's key and certificate are kept beside the CA too, one pair per
# list of names, so that the same tree builds the same image.
srv=$ca_dir/httpd-lab-server-$(echo "$*" | sha256sum | cut -c1-16)
if [ -s "$srv.pem" ] && [ -s "$srv.key" ] && openssl verify -CAfile "$ca.pem" "$srv.pem" >/dev/null 2>&1; then
	cp "$srv.key" "$out/key.pem.tmp" && mv "$out/key.pem.tmp" "$out/key.pem"
	cp "$srv.pem" "$out/cert.pem.tmp" && mv "$out/cert.pem.tmp" "$out/cert.pem"
	warn "httpd's HTTPS uses a LAB certificate ($out/cert.pem, for: $*),"
	warn "signed by the lab CA $ca.pem: not for the field (make menuconfig: httpd -> HTTPD_TLS_CERT)."
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
san=
for n; do
	case $n in
	*:*|[0-9]*.[0-9]*.[0-9]*.[0-9]*) san="$san,IP:$n" ;;
	*) san="$san,DNS:$n" ;;
	esac
done
cat >"$tmp/ext" <<EOT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${san#,}
EOT
(umask 077 && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/req.pem" -subj "/O=Tern lab/CN=$1" 2>/dev/null)
openssl x509 -req -in "$tmp/req.pem" -CA "$ca.pem" -CAkey "$ca.key" -sha256 -days 825 \
	-set_serial "0x$(openssl rand -hex 16)" -extfile "$tmp/ext" -out "$tmp/cert.pem" 2>/dev/null
cp "$tmp/key.pem" "$srv.key"
cp "$tmp/cert.pem" "$srv.pem"
mv "$tmp/key.pem" "$out/key.pem"
mv "$tmp/cert.pem" "$out/cert.pem"
warn "httpd's HTTPS uses a LAB certificate ($out/cert.pem, for: $*),"
warn "signed by the lab CA $ca.pem: not for the field (make menuconfig: httpd -> HTTPD_TLS_CERT)."
