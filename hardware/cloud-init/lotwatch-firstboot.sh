#!/bin/sh
# Turns the boot partition's lotwatch/gateway.env (written by lotwatch-flash) into
# /etc/lotwatch/agent.yaml + agent.env + tls/, then removes the secret from the FAT partition,
# which any user could read. Run once by cloud-init; LOTWATCH_FIRSTBOOT_ROOT prefixes every path
# (tests run it on a scratch tree).
set -eu
root=${LOTWATCH_FIRSTBOOT_ROOT:-}
boot=${LOTWATCH_BOOT_DIR:-$root/boot/firmware}
src=$boot/lotwatch
etc=$root/etc/lotwatch
[ -f "$src/gateway.env" ] || { echo "lotwatch-firstboot: no $src/gateway.env; nothing to do" >&2; exit 0; }

value() { sed -n "s/^$1=//p" "$src/gateway.env" | head -n1; }
id=$(value LOTWATCH_GATEWAY__ID)
site=$(value LOTWATCH_GATEWAY__SITE)
url=$(value LOTWATCH_BROKER__URL)
user=$(value LOTWATCH_BROKER__USERNAME)
password=$(value LOTWATCH_BROKER__PASSWORD)

install -d -m 0755 "$etc"
install -d -m 0750 "$etc/tls"
tls=""
if [ -f "$src/tls/ca.pem" ]; then install -m 0644 "$src/tls/ca.pem" "$etc/tls/ca.pem"; tls="$tls
  ca: /etc/lotwatch/tls/ca.pem"; fi
if [ -f "$src/tls/client.pem" ]; then
  install -m 0644 "$src/tls/client.pem" "$etc/tls/client.pem"
  install -m 0640 "$src/tls/client.key" "$etc/tls/client.key"
  tls="$tls
  cert: /etc/lotwatch/tls/client.pem
  key: /etc/lotwatch/tls/client.key"
fi
cat > "$etc/agent.yaml" <<YAML
# Written on first boot by lotwatch-firstboot.sh from the boot partition. Inputs: edit for this site
# (edge-agent/README.md "Configuration"); serial names come from /lib/udev/rules.d/60-lotwatch-serial.rules.
gateway: { id: $id, site: $site }
broker:
  url: "$url"
  username: $user$tls
buffer: { path: /var/lib/lotwatch/buffer.db, maxBytes: 2GB, maxAge: 14d }
http: { port: 9100 }
inputs:
  - { type: serial, name: cam0, path: /dev/lotwatch-cam0, baudRate: 9600, format: jsonl }
YAML
umask 027
printf 'LOTWATCH_BROKER__PASSWORD=%s\n' "$password" > "$etc/agent.env"
if getent group lotwatch >/dev/null 2>&1 && [ -z "$root" ]; then
  chgrp lotwatch "$etc/agent.env" "$etc/tls" "$etc/tls/client.key" 2>/dev/null || true
fi
# The secret and the key leave the world-readable boot partition.
rm -f "$src/gateway.env" "$src/tls/client.key"
echo "lotwatch-firstboot: gateway $id at site $site configured in $etc"
