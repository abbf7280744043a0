package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.local.kafka.BrokerTls;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.local.tls.SelfSignedCertificate;
import io.tollgate.schemas.UsageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway with TLS on its port (a certificate {@code keytool} makes for this run) whose usage
 * producer reaches Kafka over SSL with the config's Kafka properties: a client that trusts the
 * certificate gets answers, one that does not (or speaks plain HTTP) does not; a proxy's
 * {@code x-forwarded-*} headers stay at the gateway.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayTlsIT {
  @TempDir
  static Path dir;
  private static SelfSignedCertificate cert;
  private static EmbeddedKafka kafka;
  private static MockProvider mock;
  private static Gateway gateway;
  private static HttpClient trusting;

  @BeforeAll
  static void start() throws Exception {
    cert = SelfSignedCertificate.generate(dir.resolve("tls"));
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")).withTls(new BrokerTls(cert, Map.of())));
    mock = MockProvider.start(0);
    String yaml = """
        model_list:
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-provider-openai}
        model_group_settings:
          forward_client_headers_to_llm_api: [gpt-5]   # every x-* header goes, except a proxy's
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-tls
          spill_dir: %2$s
          kafka: {bootstrap_servers: "%3$s"}
        """.formatted(mock.baseUrl(), dir.resolve("spill"), kafka.sslBootstrapServers());
    IngressConfig loaded = ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of());
    gateway = Gateway.start(secured(loaded, cert.kafkaSslClient(),
        new IngressConfig.Tls(cert.certPem().toString(), cert.keyPem().toString())));
    trusting = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (mock != null) {
      mock.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** The loaded config with Kafka properties and TLS, until the loader binds {@code tollgate.kafka.properties} and {@code tollgate.tls}. */
  private static IngressConfig secured(IngressConfig c, Map<String, String> kafkaProperties, IngressConfig.Tls tls) {
    return new IngressConfig(c.host(), c.port(), c.gatewayId(), c.masterKey(), c.virtualKeys(), c.deployments(),
        c.forwardClientHeaders(), c.userHeaderMappings(), c.kafkaBootstrap(), c.spillDir(), c.maxBodyBytes(),
        c.upstreamTimeoutMs(), c.forwardProviderAuthHeaders(), c.idleTimeoutMs(), c.requestReadTimeoutMs(),
        c.streamIdleTimeoutMs(), c.corsAllowedOrigins(), kafkaProperties, tls);
  }

  private static SSLContext trusting(SelfSignedCertificate cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(cert.trustStore())) {
      trust.load(in, cert.password().toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static HttpRequest.Builder request(String scheme, String path) {
    return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(20));
  }

  @Test
  void aClientThatTrustsTheCertificateGetsAnswersOverHttps() throws Exception {
    HttpResponse<String> r = trusting.send(request("https", "/health/liveliness").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("alive");
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void aClientThatDoesNotTrustItOrSpeaksPlainHttpGetsNothing() {
    HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> defaults.send(request("https", "/health/liveliness").GET().build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> defaults.send(request("http", "/health/liveliness").GET().build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  @Test
  void aCallOverHttpsIsMeteredToKafkaOverSslAndProxyHeadersStayAtTheGateway() throws Exception {
    String customer = "tls-" + UUID.randomUUID();
    HttpResponse<String> r = trusting.send(request("https", "/v1/chat/completions")
        .header("x-forwarded-for", "203.0.113.7").header("x-forwarded-proto", "https").header("x-real-ip", "203.0.113.7")
        .header("x-request-tag", "kept")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-5\",\"user\":\"" + customer + "\",\"messages\":[]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    MockProvider.ReceivedRequest upstream = mock.lastRequest();
    assertThat(upstream.header("x-request-tag")).as("other x- headers still go").isEqualTo("kept");
    assertThat(upstream.header("x-forwarded-for")).isNull();
    assertThat(upstream.header("x-forwarded-proto")).isNull();
    assertThat(upstream.header("x-real-ip")).isNull();

    try (UsageEvents events = new UsageEvents(kafka.sslBootstrapServers(), cert.kafkaSslClient())) {
      UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
      assertThat(e.getGatewayId()).isEqualTo("gw-tls");
    }
    assertThat(gateway.spilledPending()).as("nothing spilled: the producer reached Kafka over SSL").isZero();
  }
}
