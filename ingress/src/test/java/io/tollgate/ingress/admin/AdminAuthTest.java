package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.KeyAuth;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AdminAuthTest {
  private static final String MASTER = "sk-master-1234";
  private static final String KEY = "sk-dev-1";

  private static KeyAuth keys(String master, Map<String, IngressConfig.KeyEntry> virtual) {
    return new KeyAuth(new IngressConfig("127.0.0.1", 0, "gw", master, virtual, List.of(), false, List.of(),
        "127.0.0.1:9092", "spill", 1024, 1000, false, 1000, 1000, 1000, List.of("*"), Map.of(), null));
  }

  private static final AdminAuth AUTH = new AdminAuth(MASTER,
      keys(MASTER, Map.of(KEY, new IngressConfig.KeyEntry("dev", null))));

  private static Function<String, String> headers(String... kv) {
    return name -> {
      for (int i = 0; i < kv.length; i += 2) {
        if (kv[i].equalsIgnoreCase(name)) {
          return kv[i + 1];
        }
      }
      return null;
    };
  }

  @Test
  void theMasterKeyInAnyOfLiteLlmsHeadersIsTheMaster() {
    for (Function<String, String> h : List.of(headers("authorization", "Bearer " + MASTER),
        headers("Authorization", "bearer  " + MASTER + " "), headers("x-litellm-api-key", MASTER),
        headers("x-litellm-api-key", "Bearer " + MASTER), headers("x-api-key", MASTER),
        headers("x-api-key", "sk-someone-elses-provider-key", "x-litellm-api-key", MASTER))) {
      AdminAuth.Caller caller = AUTH.authenticate(h);
      assertThat(caller.master()).isTrue();
      assertThat(caller.mayRead("any")).isTrue();
    }
  }

  @Test
  void aVirtualKeyMayReadItsOwnHashOnly() {
    AdminAuth.Caller caller = AUTH.authenticate(headers("authorization", "Bearer " + KEY));
    assertThat(caller.master()).isFalse();
    assertThat(caller.keyHash()).isEqualTo(KeyAuth.sha256(KEY));
    assertThat(caller.alias()).isEqualTo("dev");
    assertThat(caller.mayRead(KeyAuth.sha256(KEY))).isTrue();
    assertThat(caller.mayRead(KeyAuth.sha256(MASTER))).isFalse();
  }

  @Test
  void noKeyAWrongKeyOrAnAlmostMasterKeyIsRefused() {
    assertThatThrownBy(() -> AUTH.authenticate(headers())).isInstanceOf(AdminAuth.Refused.class)
        .hasMessageContaining("No api key passed in");
    for (String wrong : List.of(MASTER + "5", MASTER.substring(1), "sk-master-1235", "Basic " + MASTER)) {
      assertThatThrownBy(() -> AUTH.authenticate(headers("authorization", wrong)))
          .as(wrong).isInstanceOf(AdminAuth.Refused.class).hasMessageNotContaining(MASTER);
    }
    assertThatThrownBy(() -> AUTH.authenticate(headers("x-api-key", "sk-master-12345"))).isInstanceOf(AdminAuth.Refused.class);
  }

  @Test
  void withoutAMasterKeyAnOpenGatewayLetsAKeyReadOnlyItself() {
    AdminAuth open = new AdminAuth(null, keys(null, Map.of()));
    assertThat(open.hasMasterKey()).isFalse();
    AdminAuth.Caller caller = open.authenticate(headers("x-api-key", "sk-anything"));
    assertThat(caller.master()).isFalse();
    assertThat(caller.keyHash()).isEqualTo(KeyAuth.sha256("sk-anything"));
    assertThatThrownBy(() -> open.authenticate(headers())).isInstanceOf(AdminAuth.Refused.class);
  }
}
