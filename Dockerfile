# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only, as a non-root user with a
# read-only root filesystem (deploy/berth/deployment.yaml). Node.js 24, the maintained LTS (package.json engines).
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --from=build /src/deploy/nodepools ./deploy/nodepools
COPY --from=build /src/policies.yaml ./policies.yaml
COPY --from=build /src/examples ./examples
USER 65532:65532
EXPOSE 8443 8444 9090
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["serve"]
