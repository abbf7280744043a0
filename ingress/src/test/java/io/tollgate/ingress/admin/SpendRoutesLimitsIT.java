package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.metrics.Prometheus;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The spend routes in front of a ClickHouse that accepts connections and never answers (a hung
 * server): queries are bounded (503 busy beyond the limit), answered 504 at the timeout, and the
 * event loop keeps serving other requests meanwhile — nothing waits on it.
 */
@Timeout(60)
class SpendRoutesLimitsIT {
  private static final String MASTER = "sk-master-limits";
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private ServerSocket hung;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    for (Socket s : held) {
      s.close();
    }
    if (hung != null) {
      hung.close();
    }
  }

  @Test
  void aHungClickHouseGetsBusyAndTimeoutAnswersWhileTheEventLoopStaysFree() throws Exception {
    hung = new ServerSocket(0);
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(hung.accept()); // read nothing, answer nothing
        }
      } catch (java.io.IOException closed) {
        // the test is over
      }
    }, "hung-clickhouse");
    acceptor.setDaemon(true);
    acceptor.start();

    vertx = Vertx.vertx();
    PrometheusRegistry registry = new PrometheusRegistry();
    KeyAuth keys = new KeyAuth(new IngressConfig("127.0.0.1", 0, "gw", MASTER, Map.of(), List.of(), false, List.of(),
        "127.0.0.1:9092", "spill", 1024, 1000, false, 1000, 1000, 1000, List.of("*"), Map.of(), null));
    SpendRoutes spend = new SpendRoutes(vertx, new AdminAuth(MASTER, keys),
        ClickHouseSettings.of("http://127.0.0.1:" + hung.getLocalPort(), "tollgate"), Directory.EMPTY,
        new SpendMetrics(registry), new SpendRoutes.Limits(1, 2, Duration.ofSeconds(5)));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(req -> {
      if (SpendRoutes.handles(req.path())) {
        spend.handle(req);
      } else {
        req.response().end("alive");
      }
    });
    int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
    assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("alive"); // warm
    HttpRequest logs = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/spend/logs"))
        .header("authorization", "Bearer " + MASTER).timeout(Duration.ofSeconds(30)).build();
    long started = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(http.sendAsync(logs, HttpResponse.BodyHandlers.ofString()));
    }
    // While the queries wait on ClickHouse (until the 5 s timeout), the event loop answers others;
    // had a query blocked it, nothing (not even the 504s) would come before the 15 s socket timeout.
    for (int i = 0; i < 5; i++) {
      assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("alive");
    }

    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> r = call.get(20, TimeUnit.SECONDS);
      statuses.add(r.statusCode());
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("retry-after")).hasValue("1");
        assertThat(r.body()).contains("busy").contains("\"code\":\"503\"");
      } else {
        assertThat(r.body()).contains("took longer than 5 s").contains("\"code\":\"504\"");
      }
    }
    assertThat(statuses).containsExactlyInAnyOrder(503, 504, 504);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered at the timeout, not the socket's (15 s)")
        .isLessThan(Duration.ofSeconds(13));
    assertThat(Prometheus.scrape(registry))
        .contains("tollgate_spend_api_requests_total{outcome=\"busy\",route=\"/spend/logs\"} 1.0")
        .contains("tollgate_spend_api_requests_total{outcome=\"timeout\",route=\"/spend/logs\"} 2.0");
  }
}
