package io.tollgate.ingress.usage;

/**
 * Usage of a non-streaming response, fed chunk by chunk as it passes to the client: keeps the
 * body (compressed bodies as they came, within {@link ContentDecoding#MAX_ENCODED_BYTES}; plain
 * ones within {@link ContentDecoding#MAX_DECODED_BYTES}) and reads it at the end. Never throws.
 * Not thread-safe: one reader per response.
 */
public final class BodyUsageReader {
  private final Api api;
  private final ContentDecoding.Collector body;
  private String problem;

  /** A reader for a body sent with {@code contentEncoding} (the response header, null for none). */
  public BodyUsageReader(Api api, String contentEncoding) {
    this.api = api;
    this.body = new ContentDecoding.Collector(contentEncoding);
  }

  public void onBytes(byte[] chunk) {
    onBytes(chunk, 0, chunk.length);
  }

  public void onBytes(byte[] chunk, int offset, int length) {
    body.add(chunk, offset, length);
  }

  /** The body's usage ({@link UsageSource#RESPONSE}), or {@link Usage#NONE} when it could not be read. */
  public Usage usage() {
    if (body.overflowed()) {
      problem = "body larger than the usage reader keeps: usage not read";
      return Usage.NONE;
    }
    ContentDecoding.Bytes decoded = new ContentDecoding.Bytes(8192);
    ContentDecoding.Result r = body.decodeTo(decoded::write);
    problem = r.problem();
    if (!r.supported()) {
      return Usage.NONE;
    }
    return UsageJson.fromBody(api, decoded.array(), decoded.size());
  }

  /** Why the usage could not be read (too large, unknown or corrupt encoding), or null. */
  public String problem() {
    return problem;
  }
}
