# sts-dane-relay container image.
#   docker build -t sts-dane-relay .
#   docker compose up          (relay + a validating unbound resolver; see docker-compose.yml)
# Build stage: the Maven Wrapper builds the shaded jar (tests run in CI, not here).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package -pl relay-server -am

# Runtime stage: a JRE, the jar and the default configuration; runs as an unprivileged user.
FROM eclipse-temurin:17-jre
RUN useradd --system --home-dir /var/spool/relay --shell /usr/sbin/nologin relay \
    && mkdir -p /var/spool/relay /etc/relay \
    && chown relay:relay /var/spool/relay
COPY --from=build /src/relay-server/target/relay.jar /opt/relay/relay.jar
COPY config/relay.yaml /etc/relay/relay.yaml
# The spool must survive the container: mount a volume here (docs/operations.md, "Back up the spool").
VOLUME /var/spool/relay
WORKDIR /var/spool/relay
ENV RELAY_SPOOL__DIR=/var/spool/relay
USER relay
# 2525: SMTP listener; 8025: admin API (/metrics, /health, /queue). Both need RELAY_*__LISTEN set to a
# non-loopback address to be reachable from outside the container (docker-compose.yml does).
EXPOSE 2525 8025
# JVM options: set JAVA_TOOL_OPTIONS (read by the JVM itself), for example -Xmx512m.
ENTRYPOINT ["java", "-jar", "/opt/relay/relay.jar"]
CMD ["run", "--config", "/etc/relay/relay.yaml"]
