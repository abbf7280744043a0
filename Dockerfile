# Tollgate apps (gateway, aggregator, alerting, launcher) in one image; docker-compose picks the main class.
# Build stage: the same Maven build as ./tollgate, dependencies copied next to the jars.
FROM maven:3.9.11-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -ntp -DskipTests package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp infra/launcher/target/tollgate-launcher-*.jar /app/lib/

# Runtime: JRE only, non-root.
FROM eclipse-temurin:21.0.9_10-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/tollgate --create-home tollgate
COPY --from=build /app/lib /app/lib
# The standalone gateway's JVM options (a java argument file; see docs/gateway.md, "Memory").
COPY --from=build /src/infra/gateway-jvm.options /app/gateway-jvm.options
USER tollgate
WORKDIR /var/lib/tollgate
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 --enable-native-access=ALL-UNNAMED"
# 4000: the gateway (LLM APIs, spend and management API); 4001, 4002: /metrics of the aggregator and alerting.
EXPOSE 4000 4001 4002
# Default: the gateway, with its JVM options (options after the file, before the class, override
# it, e.g. "-Xms128m"). Override the class (and arguments) per service.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp '/app/lib/*' \"$@\"", "--"]
CMD ["@/app/gateway-jvm.options", "io.tollgate.ingress.Main", "--config", "/etc/tollgate/tollgate.yaml"]
