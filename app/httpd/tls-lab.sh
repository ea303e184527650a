#!/bin/sh
# SPDX-License-Identifier: MIT
# tls-lab.sh CA_DIR OUT_DIR NAME... -- the lab certificates of httpd's HTTPS
# when the site gives none (HTTPD_TLS_CERT empty), two of each: ECDSA P-256
# and RSA (for clients without ECDSA, such as OVMF's HTTP Boot).  A lab CA
# of each in CA_DIR (httpd-lab-ca.pem and .key, ECDSA P-256;
# httpd-lab-rsa-ca.pem and .key, RSA 3072), made once and kept, then a
# server key and a certificate each CA signs for NAME... (host names and
# IPv4/IPv6 addresses, the first also its CN) in OUT_DIR (cert.pem and
# key.pem; rsa-cert.pem and rsa-key.pem, RSA 2048), also kept in CA_DIR for
# the next build with the same names.  With the host's openssl.  See
# app/httpd/README.md, HTTPS.
set -eu
ca_dir=$1 out=$2
shift 2
warn() { echo "!!! WARNING: $*" >&2; }

# lab KIND CA SERVER OUT-PREFIX CA-KEY-ARGS SERVER-KEY-ARGS
lab() {
	kind=$1 ca=$ca_dir/$2 pfx=$4 cakey=$5 srvkey=$6
	if [ ! -s "$ca.pem" ] || [ ! -s "$ca.key" ]; then
		mkdir -p "$ca_dir"
		rm -f "$ca.pem" "$ca.key"
		# shellcheck disable=SC2086 # the key's arguments, split
		(umask 077 && openssl req -x509 -new $cakey \
			-nodes -sha256 -days 3650 -keyout "$ca.key.tmp" -out "$ca.pem.tmp" \
			-subj "/O=Tern lab/CN=Tern lab $kind CA $(hostname) $(date -u +%Y-%m-%d)" \
			-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null)
		mv "$ca.key.tmp" "$ca.key"
		mv "$ca.pem.tmp" "$ca.pem"
		chmod 0644 "$ca.pem" # public: what clients are given
		warn "made a LAB $kind certificate authority, $ca.pem (HTTPD_TLS_CERT is empty)."
		warn "Clients trust httpd's HTTPS once they trust it (curl --cacert $ca.pem)."
		warn "It is kept (make clean keeps $ca_dir); its key $ca.key signs for anything: lab only."
	fi

	mkdir -p "$out"
	# The server's key and certificate are kept beside the CA too, one pair
	# per list of names, so that the same tree builds the same image.
	srv=$ca_dir/$3-$(echo "$names" | sha256sum | cut -c1-16)
	if ! { [ -s "$srv.pem" ] && [ -s "$srv.key" ] &&
	       openssl verify -CAfile "$ca.pem" "$srv.pem" >/dev/null 2>&1; }; then
		tmp=$(mktemp -d)
		san=
		for n in $names; do
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
		# shellcheck disable=SC2086
		(umask 077 && openssl req -new $srvkey -nodes -keyout "$tmp/key.pem" \
			-out "$tmp/req.pem" -subj "/O=Tern lab/CN=$first" 2>/dev/null)
		openssl x509 -req -in "$tmp/req.pem" -CA "$ca.pem" -CAkey "$ca.key" -sha256 \
			-days 825 -set_serial "0x$(openssl rand -hex 16)" -extfile "$tmp/ext" \
			-out "$tmp/cert.pem" 2>/dev/null
		(umask 077 && cp "$tmp/key.pem" "$srv.key")
		cp "$tmp/cert.pem" "$srv.pem"
		rm -rf "$tmp"
	fi
	(umask 077 && cp "$srv.key" "$out/${pfx}key.pem.tmp")
	mv "$out/${pfx}key.pem.tmp" "$out/${pfx}key.pem"
	cp "$srv.pem" "$out/${pfx}cert.pem.tmp" && mv "$out/${pfx}cert.pem.tmp" "$out/${pfx}cert.pem"
	warn "httpd's HTTPS uses a LAB $kind certificate ($out/${pfx}cert.pem, for: $names),"
	warn "signed by the lab CA $ca.pem: not for the field (make menuconfig: httpd -> HTTPD_TLS_CERT)."
}

names=$* first=$1
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256"
lab ECDSA httpd-lab-ca httpd-lab-server "" "$ec" "$ec"
lab RSA httpd-lab-rsa-ca httpd-lab-rsa-server rsa- "-newkey rsa:3072" "-newkey rsa:2048"
