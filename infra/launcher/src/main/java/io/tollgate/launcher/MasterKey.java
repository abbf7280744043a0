package io.tollgate.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The master key of {@code ./tollgate run}: {@code --master-key} or {@code LITELLM_MASTER_KEY} when
 * given, the config's {@code general_settings.master_key} when set, else the one kept in
 * {@code TOLLGATE_HOME/master-key} (owner-only, 0600) — created with 192 random bits on first start.
 * Only a key created now is shown (once); a kept one is never printed again.
 *
 * @param value   the key
 * @param source  where it came from, for the start-up summary
 * @param created whether it was created by this start (then the summary shows it, once)
 */
record MasterKey(String value, String source, boolean created) {
  static final String FILE = "master-key";

  /**
   * @param option   {@code --master-key}, or null
   * @param env      the environment ({@code LITELLM_MASTER_KEY})
   * @param inConfig whether the config file sets {@code general_settings.master_key}
   * @return the key to use, or null when the config file has its own (the gateway resolves it)
   */
  static MasterKey resolve(Path home, String option, java.util.Map<String, String> env, boolean inConfig) {
    if (option != null) {
      return new MasterKey(option, "--master-key", false);
    }
    String fromEnv = env.get("LITELLM_MASTER_KEY");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new MasterKey(fromEnv.strip(), "LITELLM_MASTER_KEY", false);
    }
    if (inConfig) {
      return null;
    }
    Path file = home.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!kept.startsWith("sk-")) {
          throw new IllegalStateException(file + " does not hold a master key (sk-…); remove it to create a new one");
        }
        return new MasterKey(kept, file.toString(), false);
      }
      byte[] bytes = new byte[24];
      new SecureRandom().nextBytes(bytes);
      String key = "sk-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      write(file, key);
      return new MasterKey(key, file.toString(), true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot keep the master key in " + file + ": " + e.getMessage(), e);
    }
  }

  /** Created owner-only before the key is written, so it is never readable by others, not even briefly. */
  private static void write(Path file, String key) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system (Windows): the home directory's own permissions apply
    } catch (FileAlreadyExistsException e) {
      throw new IOException("another start created " + file + " meanwhile; start again", e);
    }
    Files.writeString(file, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  @Override
  public String toString() {
    return "MasterKey[" + source + "]"; // never the value
  }
}
