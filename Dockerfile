# The image every service of compose.yaml runs: the platform (`tickwire start`) or one engine
# (`tickwire engine <name>`), chosen by the service's command (docs/ENGINES.md, "Containers").
FROM node:20-bookworm-slim
WORKDIR /tickwire
# better-sqlite3 builds against Node's headers when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund
ENTRYPOINT ["node", "bin/tickwire.js"]
CMD ["start", "--host", "0.0.0.0"]
