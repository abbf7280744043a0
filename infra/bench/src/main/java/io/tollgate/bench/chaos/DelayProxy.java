package io.tollgate.bench.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A user-space TCP proxy that delays every chunk by a settable time, each direction, in order
 * (this kernel has no {@code sch_netem}, so {@code tc netem} is not an option). Virtual threads:
 * a reader and a writer per direction per connection.
 */
final class DelayProxy implements AutoCloseable {
  private record Chunk(byte[] bytes, long dueNanos) {
  }

  private final ServerSocket server;
  private final int targetPort;
  private volatile long delayNanos;
  private volatile boolean closed;

  DelayProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("delay-proxy-accept").start(this::accept);
  }

  /** Same, listening on {@code port} (chosen before the target's address is advertised). */
  DelayProxy(int port, int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    Thread.ofVirtual().name("delay-proxy-accept").start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  void delayMillis(long ms) {
    delayNanos = ms * 1_000_000L;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket target = new Socket();
        try {
          target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        } catch (IOException e) {
          client.close(); // the broker is away: the client sees a refused connection, as without the proxy
          continue;
        }
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        pipe(client, target);
        pipe(target, client);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    Thread.ofVirtual().start(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = from.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos));
        }
      } catch (IOException | InterruptedException e) {
        // connection gone
      }
      queue.add(new Chunk(null, System.nanoTime() + delayNanos));
    });
    Thread.ofVirtual().start(() -> {
      try (OutputStream out = to.getOutputStream()) {
        while (true) {
          Chunk c = queue.take();
          long wait = c.dueNanos() - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          if (c.bytes() == null) {
            break;
          }
          out.write(c.bytes());
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // connection gone
      }
      closeQuietly(from);
      closeQuietly(to);
    });
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
