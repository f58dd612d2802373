# syntax=docker/dockerfile:1
# Build stage: compile TypeScript, then drop dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json ./
COPY gen ./gen
COPY src ./src
COPY playground/index.html ./playground/index.html
COPY playground/dist ./playground/dist
RUN npm run build && npm prune --omit=dev

# Runtime stage: only the compiled code and production dependencies, as the unprivileged user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/playground/index.html ./playground/index.html
COPY --from=build --chown=node:node /app/playground/dist ./playground/dist
USER node
EXPOSE 8080
# The heap flags keep memory flat under load: see README, "Memory".
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/src/cli/main.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
