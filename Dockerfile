# The harvester service of docker-compose.yml: the jar `mvn -B package -DskipTests` built, on a stock JRE,
# run by an unprivileged user (uid 10001). The folders it writes belong to that user here, so the named
# volumes docker compose mounts on output/ and logs/ start out writable by it (Docker gives an empty
# volume the owner of the folder it is mounted on). curl is for the compose healthcheck.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 harvester \
 && useradd --system --uid 10001 --gid harvester --home-dir /app --shell /usr/sbin/nologin harvester \
 && mkdir -p /app/output /app/logs /app/routes \
 && chown -R harvester:harvester /app
WORKDIR /app
COPY target/harvester.jar /app/harvester.jar
USER 10001:10001
EXPOSE 8080
# the parallel collector: a daemon that moves data in bulk (README, "The two commands")
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-jar", "/app/harvester.jar"]
