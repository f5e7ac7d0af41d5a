#!/bin/sh
# Writes the secrets compose.yaml mounts, once: random values where a random value is right, and a placeholder
# smtp_url that must be replaced with the real SMTP server before `docker compose up` (the server refuses to start in
# production without one). Existing files are kept, so running it again never changes a secret in use.
set -eu
dir="$(dirname "$0")/secrets"
# The folder is private to its owner; the files are readable by all, because compose mounts each file as it is into
# containers whose processes run as other users (the server as uid 1000, PostgreSQL as 999), and a file mount cannot
# change its owner or mode outside a swarm.
mkdir -p "$dir"
chmod 700 "$dir"
umask 022

write() { # name value
  if [ ! -s "$dir/$1" ]; then
    printf '%s\n' "$2" >"$dir/$1"
    echo "wrote $dir/$1"
  fi
}

write postgres_password "$(openssl rand -hex 24)"
write database_url "postgres://cims:$(cat "$dir/postgres_password")@postgres:5432/cims"
write jwt_secret "$(openssl rand -base64 48)"
write cims_encryption_key "$(openssl rand -base64 32)"
write minio_root_user "cims-root"
write minio_root_password "$(openssl rand -hex 24)"
write s3_access_key_id "cims-server"
write s3_secret_access_key "$(openssl rand -hex 24)"
if [ ! -s "$dir/smtp_url" ]; then
  printf '%s\n' 'smtps://user:password@smtp.example.com:465' >"$dir/smtp_url"
  echo "wrote $dir/smtp_url: replace it with your SMTP server's URL"
fi
