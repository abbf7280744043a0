package io.tollgate.ingress.usage;

import static io.tollgate.ingress.usage.UsageParsingTest.chunkings;
import static io.tollgate.ingress.usage.UsageParsingTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Usage read from compressed responses. gzip and deflate are encoded here with the JDK, zstd with
 * aircompressor; the {@code .br} and {@code .zst} fixtures were made with the brotli 1.0.9 and
 * zstd 1.5.4 command-line tools, so the decoders are checked against the reference encoders.
 */
@Timeout(60)
class ContentDecodingTest {
  @FunctionalInterface
  private interface Encoder {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  private static byte[] encode(byte[] plain, Encoder encoder) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = encoder.wrap(out)) {
      enc.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] plain) {
    return encode(plain, GZIPOutputStream::new);
  }

  private static Usage tap(Api api, String encoding, List<byte[]> chunks) {
    StreamUsageTap tap = new StreamUsageTap(api, encoding);
    chunks.forEach(tap::onBytes);
    return tap.usage();
  }

  private static Usage plainStream(Api api, String fixture) {
    return tap(api, null, List.of(fixture(fixture)));
  }

  @Test
  void saysWhichEncodingsItCanUndo() {
    assertThat(ContentDecoding.supported("gzip, br")).isTrue();
    assertThat(ContentDecoding.supported("zstd")).isTrue();
    assertThat(ContentDecoding.supported("identity")).isTrue();
    assertThat(ContentDecoding.supported("compress")).isFalse();
    assertThat(ContentDecoding.supported("gzip, x-secret")).isFalse();
  }

  @Test
  void gzipAndDeflateStreamsAreReadUnderEveryChunking() {
    byte[] sse = fixture("anthropic-stream.sse");
    Usage expected = plainStream(Api.MESSAGES, "anthropic-stream.sse");
    assertThat(expected.source()).isEqualTo(UsageSource.STREAM);
    byte[][] encoded = {gzip(sse), gzip(sse), encode(sse, DeflaterOutputStream::new),
        encode(sse, out -> new DeflaterOutputStream(out, new Deflater(9, true)))};
    String[] encodings = {"gzip", "X-GZIP", "deflate", "deflate"};
    for (int i = 0; i < encoded.length; i++) {
      for (List<byte[]> chunks : chunkings(encoded[i])) {
        assertThat(tap(Api.MESSAGES, encodings[i], chunks)).as(encodings[i]).isEqualTo(expected);
      }
    }
  }

  @Test
  void brotliAndZstdFixturesFromTheReferenceTools() {
    assertThat(tap(Api.MESSAGES, "br", List.of(fixture("anthropic-stream.sse.br"))))
        .isEqualTo(plainStream(Api.MESSAGES, "anthropic-stream.sse"));
    StreamUsageTap chat = new StreamUsageTap(Api.CHAT_COMPLETIONS, "zstd");
    chat.onBytes(fixture("openai-chat-stream.sse.zst"));
    assertThat(chat.usage()).isEqualTo(plainStream(Api.CHAT_COMPLETIONS, "openai-chat-stream.sse"));
    assertThat(chat.sawUsageOnlyChunk()).isTrue();

    BodyUsageReader body = new BodyUsageReader(Api.MESSAGES, "zstd");
    body.onBytes(fixture("anthropic-message.json.zst"));
    assertThat(body.usage()).isEqualTo(UsageJson.fromBody(Api.MESSAGES, fixture("anthropic-message.json")));
    assertThat(body.problem()).isNull();
  }

  @Test
  void stackedEncodingsAreUndoneRightToLeft() {
    // gzip applied first, then br: "content-encoding: gzip, br"
    assertThat(tap(Api.RESPONSES, "gzip, br", List.of(fixture("openai-responses-stream.sse.gz.br"))))
        .isEqualTo(plainStream(Api.RESPONSES, "openai-responses-stream.sse"));
    byte[] twice = gzip(encode(fixture("openai-chat.json"), ZstdOutputStream::new));
    BodyUsageReader body = new BodyUsageReader(Api.CHAT_COMPLETIONS, "zstd , identity, gzip");
    body.onBytes(twice);
    assertThat(body.usage()).isEqualTo(UsageJson.fromBody(Api.CHAT_COMPLETIONS, fixture("openai-chat.json")));
  }

  @Test
  void aTruncatedCompressedStreamDecodesAsFarAsItArrived() {
    byte[] sse = fixture("anthropic-stream.sse");
    byte[] gz = gzip(sse);
    byte[] br = fixture("anthropic-stream.sse.br");
    // without the gzip trailer: every event arrived, only the checksum is missing
    assertThat(tap(Api.MESSAGES, "gzip", List.of(Arrays.copyOf(gz, gz.length - 8))))
        .isEqualTo(plainStream(Api.MESSAGES, "anthropic-stream.sse"));
    // three quarters decode to past message_start, not yet to message_delta
    Usage partial = tap(Api.MESSAGES, "gzip", List.of(Arrays.copyOf(gz, gz.length * 3 / 4)));
    assertThat(partial.source()).isEqualTo(UsageSource.PARTIAL);
    assertThat(partial.inputTokens()).isEqualTo(3);
    assertThat(partial.cacheReadTokens()).isEqualTo(20_480);
    Usage brCut = tap(Api.MESSAGES, "br", List.of(Arrays.copyOf(br, br.length - 20)));
    assertThat(brCut.source()).isNotNull();
    StreamUsageTap tap = new StreamUsageTap(Api.MESSAGES, "gzip");
    tap.onBytes(Arrays.copyOf(gz, gz.length / 2));
    tap.usage();
    assertThat(tap.problem()).contains("ended early");
  }

  @Test
  void usageIsReadAgainAfterMoreBytesArrive() {
    byte[] gz = gzip(fixture("anthropic-stream.sse"));
    StreamUsageTap tap = new StreamUsageTap(Api.MESSAGES, "gzip");
    tap.onBytes(gz, 0, gz.length / 2);
    assertThat(tap.usage().complete()).isFalse();
    tap.onBytes(gz, gz.length / 2, gz.length - gz.length / 2);
    assertThat(tap.usage().source()).isEqualTo(UsageSource.STREAM);
  }

  @Test
  void tooMuchCompressedDataGivesUpWithAReason() {
    byte[] mb = new byte[1 << 20];
    StreamUsageTap tap = new StreamUsageTap(Api.MESSAGES, "gzip");
    BodyUsageReader body = new BodyUsageReader(Api.MESSAGES, "br");
    for (int i = 0; i <= ContentDecoding.MAX_ENCODED_BYTES / mb.length; i++) {
      tap.onBytes(mb);
      body.onBytes(mb);
    }
    assertThat(tap.usage()).isEqualTo(Usage.NONE);
    assertThat(tap.problem()).contains("larger than");
    assertThat(body.usage()).isEqualTo(Usage.NONE);
    assertThat(body.problem()).contains("larger than");
  }

  @Test
  void unknownOrCorruptEncodingsGiveNoUsageAndAReason() {
    StreamUsageTap unknown = new StreamUsageTap(Api.MESSAGES, "compress");
    unknown.onBytes(fixture("anthropic-stream.sse"));
    assertThat(unknown.usage()).isEqualTo(Usage.NONE);
    assertThat(unknown.problem()).contains("unsupported content-encoding compress");

    BodyUsageReader corrupt = new BodyUsageReader(Api.MESSAGES, "br");
    corrupt.onBytes(fixture("anthropic-message.json"));
    assertThat(corrupt.usage().source()).isEqualTo(UsageSource.NONE);
    assertThat(corrupt.problem()).isNotNull();
  }

  @Test
  void identityNamesAreRecognized() {
    assertThat(ContentDecoding.isIdentity(null)).isTrue();
    assertThat(ContentDecoding.isIdentity(" ")).isTrue();
    assertThat(ContentDecoding.isIdentity("Identity")).isTrue();
    assertThat(ContentDecoding.isIdentity("gzip")).isFalse();
    assertThat(ContentDecoding.codings("GZIP, identity ,br")).containsExactly("gzip", "br");
    BodyUsageReader plain = new BodyUsageReader(Api.CHAT_COMPLETIONS, null);
    plain.onBytes(fixture("openai-chat.json"));
    assertThat(plain.usage()).isEqualTo(UsageJson.fromBody(Api.CHAT_COMPLETIONS, fixture("openai-chat.json")));
  }
}
