package io.tollgate.bench.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Slow clients among the normal ones: slowloris connections send their request headers one byte
 * a second and never finish them, slow-body connections send complete headers and then the body
 * one byte a second. The gateway must close them on its own timeouts, keep its memory bounded
 * and keep serving everybody else as before (latency of the normal calls compared, before and
 * during).
 */
final class SlowClients {
  private SlowClients() {
  }

  /** One slow connection and when the gateway hung up on it. */
  private static final class Slow {
    final Socket socket;
    final byte[] rest;
    final long opened = System.nanoTime();
    int next;
    long closedAfterMs = -1;

    Slow(Socket socket, byte[] rest) {
      this.socket = socket;
      this.rest = rest;
    }
  }

  static Result run(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      long beforeFrom = System.nanoTime() - run.scale.beforeS() * 1_000_000_000L;
      long beforeTo = System.nanoTime();
      long rssBefore = run.stack.gateway.rssMb();
      int each = run.scale.secs(400, 100);
      // Longer than the gateway's request_read_timeout_s (60 s) in the full run, so its timeout is exercised.
      int span = run.scale.secs(75, 8);
      run.faultStart(each + " slowloris and " + each + " slow-body connections for " + span + " s");
      List<Slow> slow = new ArrayList<>();
      String host = run.stack.gatewayHost();
      int port = run.stack.gatewayPort();
      for (int i = 0; i < each; i++) {
        slow.add(open(host, port, "POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: sk-chaos\r\nx-slow-header: "
            + "a".repeat(4000) + "\r\n", 40));
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,\"messages\":[]}" + " ".repeat(1000);
        slow.add(open(host, port, "POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: sk-chaos\r\n"
            + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body, 0));
      }
      long peakRss = rssBefore;
      long duringFrom = System.nanoTime();
      long end = duringFrom + span * 1_000_000_000L;
      while (System.nanoTime() < end) {
        for (Slow s : slow) {
          drip(s);
        }
        peakRss = Math.max(peakRss, run.stack.gateway.rssMb());
        Thread.sleep(1000);
      }
      long duringTo = System.nanoTime();
      int headersClosed = 0;
      int bodiesClosed = 0;
      List<Long> closeTimes = new ArrayList<>();
      for (int i = 0; i < slow.size(); i++) {
        Slow s = slow.get(i);
        if (s.closedAfterMs >= 0) {
          closeTimes.add(s.closedAfterMs);
          if (i % 2 == 0) {
            headersClosed++;
          } else {
            bodiesClosed++;
          }
        }
        s.socket.close();
      }
      run.faultEnd();
      closeTimes.sort(null);
      long p99Before = run.ledger.percentileMicros(beforeFrom, beforeTo, 0.99);
      long p99During = run.ledger.percentileMicros(duringFrom, duringTo, 0.99);
      run.notes.add("the gateway closed " + headersClosed + " of " + each + " slowloris and " + bodiesClosed + " of " + each
          + " slow-body connections within " + span + " s" + (closeTimes.isEmpty() ? ""
          : " (median after " + closeTimes.get(closeTimes.size() / 2) / 1000.0 + " s)"));
      run.notes.add("gateway RSS " + rssBefore + " MB before, at most " + peakRss + " MB during");
      run.notes.add(String.format("normal calls' p99 %.1f ms before, %.1f ms during", p99Before / 1000.0, p99During / 1000.0));
      boolean unaffected = p99During <= Math.max(3 * p99Before, p99Before + 250_000);
      boolean bounded = peakRss - rssBefore < 200;
      boolean closedAll = span <= 65 || (headersClosed == each && bodiesClosed == each);
      if (span <= 65) {
        run.notes.add("the gateway's request_read_timeout_s (60 s) is longer than this run's " + span + " s");
      } else if (!closedAll) {
        run.notes.add("**slow connections outlived the gateway's 60 s read timeout**");
      }
      if (!unaffected) {
        run.notes.add("**normal calls slowed down**");
      }
      if (!bounded) {
        run.notes.add("**gateway memory grew by more than 200 MB**");
      }
      return run.finish(title + " (" + each + " + " + each + " connections, " + span + " s)", ctx.command(id),
          unaffected && bounded && closedAll);
    }
  }

  private static Slow open(String host, int port, String text, int unfinishedTail) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 2000);
    socket.setTcpNoDelay(true);
    byte[] all = text.getBytes(StandardCharsets.US_ASCII);
    // Send all but the last bytes at once, then one byte a second (slowloris never ends its headers).
    int head = Math.max(0, all.length - Math.max(unfinishedTail, 1) - 200);
    socket.getOutputStream().write(all, 0, head);
    byte[] rest = java.util.Arrays.copyOfRange(all, head, unfinishedTail > 0 ? all.length : all.length - 1);
    return new Slow(socket, rest);
  }

  private static void drip(Slow s) {
    if (s.closedAfterMs >= 0) {
      return;
    }
    try {
      OutputStream out = s.socket.getOutputStream();
      out.write(s.next < s.rest.length ? s.rest[s.next] : (byte) 'a');
      out.flush();
      s.next++;
    } catch (IOException e) {
      s.closedAfterMs = (System.nanoTime() - s.opened) / 1_000_000;
    }
  }
}
