package io.tollgate.bench.peers;

import io.tollgate.local.kafka.FreePorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The upstream of the peers benchmark as its own nginx: {@code return 200} with the fixed
 * Anthropic JSON reply on one port and the 51-event stream on another (same fixtures and shape as
 * {@code peers.sh}), so the upstream costs the gateway's neighbours as little CPU as it can.
 */
record NginxUpstream(Process process, int jsonPort, int ssePort, String version) {
  /** nginx caps one config token at 4 KB: the stream is set in parts of whole events, returned as one. */
  static String sseDirectives(String sse) {
    StringBuilder out = new StringBuilder();
    StringBuilder ret = new StringBuilder();
    StringBuilder part = new StringBuilder();
    int n = 0;
    for (String event : sse.split("\n\n")) {
      if (event.isBlank()) {
        continue;
      }
      if (part.length() + event.length() + 2 > 3500) {
        out.append("      set $sse").append(n).append(" '").append(part).append("';\n");
        ret.append("$sse").append(n++);
        part.setLength(0);
      }
      part.append(event).append("\n\n");
    }
    out.append("      set $sse").append(n).append(" '").append(part).append("';\n");
    ret.append("$sse").append(n);
    return out.append("      return 200 '").append(ret).append("';\n").toString();
  }

  static NginxUpstream start(Path dir, Path fixtures) throws IOException, InterruptedException {
    String nginx = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
    Files.createDirectories(dir);
    String json = Files.readString(fixtures.resolve("reply.json"), StandardCharsets.UTF_8).strip();
    String sse = Files.readString(fixtures.resolve("reply.sse"), StandardCharsets.UTF_8);
    if (json.contains("'") || sse.contains("'")) {
      throw new IllegalStateException("the reply fixtures must not contain single quotes (nginx strings)");
    }
    int jsonPort = FreePorts.pick();
    int ssePort = FreePorts.pick();
    Files.writeString(dir.resolve("nginx.conf"), """
        worker_processes 1;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          keepalive_requests 1000000;
          keepalive_timeout 300s;
          server {
            listen 127.0.0.1:%2$d;
            default_type application/json;
            location / { return 200 '%4$s'; }
          }
          server {
            listen 127.0.0.1:%3$d;
            default_type text/event-stream;
            location / {
              add_header cache-control no-cache;
        %5$s    }
          }
        }
        """.formatted(dir, jsonPort, ssePort, json, sseDirectives(sse)), StandardCharsets.UTF_8);
    Process p;
    try {
      p = new ProcessBuilder(nginx, "-e", dir.resolve("error.log").toString(), "-p", dir.toString(), "-c",
          dir.resolve("nginx.conf").toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("out.log").toFile()).start();
    } catch (IOException e) {
      throw new IOException("nginx is needed as the upstream: sudo apt-get install -y nginx wrk", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (int port : List.of(jsonPort, ssePort)) {
      while (!listening(port)) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IOException("nginx upstream did not start: " + Files.readString(dir.resolve("error.log")));
        }
        Thread.sleep(50); // polling the port, with a deadline
      }
    }
    Process v = new ProcessBuilder(nginx, "-v").redirectErrorStream(true).start();
    String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().replaceAll(".*: ", "");
    return new NginxUpstream(p, jsonPort, ssePort, version);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
