# cwmp-agent as a container image: one agent (`run`, the default) or a fleet (`fleet ...`).
#   buildah bud --format docker -t cwmp-agent .   (or: docker build -t cwmp-agent .; OCI format drops the HEALTHCHECK)
#   podman run -v cwmp-state:/var/lib/cwmp-agent -p 7547:7547 -p 7547:7547/udp cwmp-agent run --acs-url https://acs.example.net/
#   podman run cwmp-agent fleet --count 10000 --acs-url https://acs.example.net/
# The base is an argument, so that a build without a registry can pass a local one.
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${BASE}
LABEL org.opencontainers.image.title="cwmp-agent" \
      org.opencontainers.image.description="TR-069 (CWMP) CPE agent and ACS-testing device simulator" \
      org.opencontainers.image.licenses="BSD-3-Clause"
WORKDIR /opt/cwmp-agent
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/src/types ./src/types
COPY bin ./bin
COPY profiles ./profiles
COPY examples ./examples
COPY package.json LICENSE README.md ./
ENV NODE_ENV=production \
    CWMP_AGENT_STATE_DIR=/var/lib/cwmp-agent \
    CWMP_AGENT_CR_PORT=7547
# All state in one volume, owned by the unprivileged user the agent runs as.
RUN mkdir -p /var/lib/cwmp-agent && chown 1000:1000 /var/lib/cwmp-agent && chmod 0700 /var/lib/cwmp-agent
USER 1000:1000
VOLUME ["/var/lib/cwmp-agent"]
# Connection requests: HTTP and TR-111 UDP on the same port.
EXPOSE 7547/tcp 7547/udp
# Healthy while the connection-request listener answers HTTP (any status: it is an authenticated port).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:' + (process.env.CWMP_AGENT_CR_PORT || 7547) + '/', (r) => process.exit(r.statusCode ? 0 : 1)).on('error', () => process.exit(1))"]
# The supervisor is PID 1: it passes SIGTERM/SIGINT on and restarts the agent after a Reboot.
ENTRYPOINT ["node", "/opt/cwmp-agent/bin/cwmp-agent"]
CMD ["run"]
