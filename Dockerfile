# syntax=docker/dockerfile:1
# One image for every role: DEALFLOW_ROLE=api serves HTTP, DEALFLOW_ROLE=worker runs Temporal workers
# (see docker-compose.yml). Configuration comes from the environment only (server/config.ts).

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web

FROM node:24-slim
ENV NODE_ENV=production \
    DEALFLOW_DATA_DIR=/var/lib/dealflow \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
COPY --from=build /app/dist/web ./dist/web
# the built web app must count as newer than its sources, so start.ts never tries to rebuild it (vite is not installed here)
RUN touch dist/web/index.html \
 && mkdir -p /var/lib/dealflow && chown node:node /var/lib/dealflow
USER node
VOLUME ["/var/lib/dealflow"]
EXPOSE 3000
CMD ["node", "--import", "tsx", "scripts/start.ts"]
