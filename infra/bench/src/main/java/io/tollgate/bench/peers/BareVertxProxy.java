package io.tollgate.bench.peers;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Set;

/**
 * The framework floor of {@code ./tollgate bench peers}: the gateway's Vert.x version as a bare
 * reverse proxy, with nothing of Tollgate (no key, no parsing, no metering, no hand-off log). Each
 * call's body is read whole, sent upstream on a pooled keep-alive connection, and the answer piped
 * back chunk by chunk (SSE streams through as it comes). One server per upstream, like the nginx
 * target: {@code --listen-json P --upstream-json U --listen-sse P2 --upstream-sse U2}. What the
 * gateway costs above this row is Tollgate's own work; what this row costs above nginx is Vert.x/Netty.
 */
public final class BareVertxProxy {
  /** Per-connection headers, not forwarded (RFC 9110 §7.6.1), plus the ones the client library sets. */
  private static final Set<String> HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
      "transfer-encoding", "upgrade", "host", "content-length");

  private BareVertxProxy() {
  }

  public static void main(String[] args) {
    int listenJson = 0;
    int upJson = 0;
    int listenSse = 0;
    int upSse = 0;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int v = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--listen-json" -> listenJson = v;
        case "--upstream-json" -> upJson = v;
        case "--listen-sse" -> listenSse = v;
        case "--upstream-sse" -> upSse = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setDecompressionSupported(false))
        .with(new PoolOptions().setHttp1MaxSize(500)).build();
    Future.all(serve(vertx, client, listenJson, upJson), serve(vertx, client, listenSse, upSse))
        .onSuccess(v -> System.out.println("BARE-VERTX-READY"))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  private static Future<?> serve(Vertx vertx, HttpClient client, int listen, int upstream) {
    return vertx.createHttpServer().requestHandler(req -> proxy(client, req, upstream)).listen(listen, "127.0.0.1");
  }

  private static void proxy(HttpClient client, HttpServerRequest req, int upstream) {
    HttpServerResponse out = req.response();
    req.body().compose(body -> {
      RequestOptions options = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(upstream)
          .setURI(req.uri()).setHeaders(copy(req.headers(), MultiMap.caseInsensitiveMultiMap()));
      return client.request(options).compose(r -> r.send(body));
    }).onSuccess(answer -> {
      out.setStatusCode(answer.statusCode());
      copy(answer.headers(), out.headers());
      if (answer.getHeader("content-length") != null) {
        out.putHeader("content-length", answer.getHeader("content-length"));
      } else {
        out.setChunked(true);
      }
      answer.pipeTo(out);
    }).onFailure(e -> {
      if (!out.headWritten()) {
        out.setStatusCode(502).end();
      }
    });
  }

  private static MultiMap copy(MultiMap from, MultiMap to) {
    from.forEach((name, value) -> {
      if (!HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        to.add(name, value);
      }
    });
    return to;
  }
}
