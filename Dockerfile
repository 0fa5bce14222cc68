# The gateway image. Like the README: install the dependencies, then `npm start`.
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
FROM node:24-slim

WORKDIR /app
ENV NODE_ENV=production
# Listen on every interface inside the container; the README's default is loopback.
ENV HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data

COPY package.json package-lock.json ./
# The `node` devDependency (a Node 24 binary for machines with an older one) is not needed here.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

COPY src ./src
COPY schema.graphql ./

# The embedded local users service keeps its store here when UPSTREAM_URL is not set.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# Production needs FILE_URL_SIGNING_KEY (32+ characters, the same on every instance):
#   docker run -p 4000:4000 -e FILE_URL_SIGNING_KEY=$(openssl rand -hex 32) cube-gateway
EXPOSE 4000
USER node
CMD ["npm", "start"]
