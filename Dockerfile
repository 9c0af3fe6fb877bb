# syntax=docker/dockerfile:1
# The app image: worker, webhook receiver, HTTP API (dist/src/api/main.js), codec server, CLI and the Bird simulator, as compiled JavaScript with the
# workflow code pre-bundled at build time. Node 24 (the current LTS), production dependencies only, non-root.
#
#   docker build -t bird-provisioning .
#   docker run --rm bird-provisioning node dist/src/worker.js      # the default command
#
# test/production-worker.test.ts builds exactly this way (tsc -p tsconfig.build.json, then the compiled
# bundle-workflows.js) and runs the result against a real Temporal dev server.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle-workflows.ts ./scripts/
# Compile, then bundle the workflows (and their interceptors) with bundleWorkflowCode: dist/workflow-bundle.js.
RUN npx tsc -p tsconfig.build.json --outDir dist \
 && node dist/scripts/bundle-workflows.js

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# V8's heap limit, per thread (the worker's workflow thread has a heap of its own). Without it V8 sizes the heap from
# the machine (4 GiB on a 24 GiB host), and the worker leaves the garbage of workflow runs evicted from its cache
# uncollected until its RSS passes 1.4 GiB; its live heap is ~300 MiB (docs/worker-tuning.md).
ENV NODE_OPTIONS=--max-old-space-size=512
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The bulk store's mount point belongs to the runtime user, so a named volume mounted there is writable.
RUN mkdir -p /var/lib/bird-provisioning/bulk && chown node:node /var/lib/bird-provisioning/bulk
# The image's files belong to root and are read-only for the runtime user.
USER node
# Health and metrics of the worker; the receiver's port; the codec server's; the simulator's; the HTTP API's.
EXPOSE 9464 9465 8788 8789 8787 8790
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/worker.js"]
