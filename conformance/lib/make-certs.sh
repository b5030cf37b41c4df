# shellcheck shell=bash
# make_certs DIR [IP]: a CA and a server certificate for IP (default
# 127.0.0.1, as an IP SAN) signed by it, with the openssl CLI: DIR/ca.crt,
# DIR/server.crt, DIR/server.key. Sourced.
make_certs() {
  local dir=$1 ip=${2:-127.0.0.1}
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vipd-lab-ca" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1 || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$ip" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 || return 1
  printf 'subjectAltName=IP:%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$ip" >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/ext.cnf" -out "$dir/server.crt" >/dev/null 2>&1
}
