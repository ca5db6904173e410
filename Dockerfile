# One image for every app; APP picks the service (order-state, notify-gateway, inquiry-poller,
# alipayplus-simulator). Node 20, production dependencies only at run time.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/scripts/register-paths.js ./scripts/register-paths.js
# The ops console (order-state serves it; its libraries come from node_modules).
COPY --from=build /app/apps/order-state/console ./apps/order-state/console
# The image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user. Nothing
# is written at run time (the manifests mount the root filesystem read-only).
USER 1000:1000
ARG APP=order-state
ENV APP=${APP}
CMD ["sh", "-c", "exec node -r ./scripts/register-paths.js dist/apps/${APP}/src/main.js"]
