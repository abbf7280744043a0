package io.tollgate.launcher;

import java.io.File;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian chromium driven through its chromedriver (both named explicitly, so Selenium
 * Manager never downloads anything), with the web UI's page conventions: a page is rendered when
 * {@code #view} has {@code data-page} set and {@code data-ready="true"}. Screenshots go to
 * {@code target/ui-screenshots/<name>-1280.png} and {@code <name>-phone.png}.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of(System.getProperty("tollgate.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("tollgate.chromedriver", "/usr/bin/chromedriver"));
  static final Path SHOTS = Path.of("target", "ui-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ChromeDriver driver;
  private final String base;
  private final Path profile;

  private Browser(ChromeDriver driver, String base, Path profile) {
    this.driver = driver;
    this.base = base;
    this.profile = profile;
  }

  /** Skips the test, saying what to install, when chromium or its driver is missing. */
  static void assumeInstalled() {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
            + "): apt-get install -y chromium chromium-driver (./tollgate test installs them when run as root)");
  }

  static Browser start(String base) throws Exception {
    Path profile = Files.createTempDirectory("tollgate-ui-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(WAIT);
    Files.createDirectories(SHOTS);
    return new Browser(driver, base, profile);
  }

  /** Opens the UI's first page (the sign-in form when signed out). */
  void home() {
    driver.get(base + "/ui/");
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
  }

  void signIn(String key) {
    driver.get(base + "/ui/");
    WebElement field = wait(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    field.sendKeys(key);
    driver.findElement(By.id("signin")).click();
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("top")));
  }

  void signOut() {
    driver.findElement(By.id("signout")).click();
    wait(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
  }

  /** Goes to {@code #/<page>} and waits until it rendered (or failed with a message, which fails here). */
  void open(String page) {
    driver.get(base + "/ui/#/" + page);
    String name = page.contains("/") ? page.substring(0, page.indexOf('/')) : page;
    wait(d -> {
      WebElement view = d.findElement(By.id("view"));
      return name.equals(view.getAttribute("data-page")) && "true".equals(view.getAttribute("data-ready"));
    });
    List<WebElement> errors = driver.findElements(By.cssSelector("#view > p.error"));
    if (!errors.isEmpty()) {
      throw new AssertionError("page " + page + " failed: " + errors.get(0).getText());
    }
  }

  WebElement find(String css) {
    return wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
  }

  /**
   * Waits until the element at {@code css} has {@code attribute} = {@code expected}, finding it
   * anew on every poll: a page that re-renders replaces its elements, and a handle to the old one
   * is stale. Fails with the value last seen.
   */
  void waitAttribute(String css, String attribute, String expected) {
    String[] last = {null};
    try {
      new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .ignoring(org.openqa.selenium.NoSuchElementException.class).until(d -> {
            last[0] = d.findElement(By.cssSelector(css)).getAttribute(attribute);
            return expected.equals(last[0]);
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(css + " " + attribute + ": expected " + expected + " but was " + last[0], e);
    }
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /**
   * The {@code attribute} of every element at {@code css}, read in one pass that starts over when
   * the page re-rendered under it (a stale handle), so the list is of one rendering.
   */
  List<String> attributes(String css, String attribute) {
    return new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElements(By.cssSelector(css)).stream().map(e -> e.getAttribute(attribute)).toList());
  }

  /** The text of every element at {@code css}, as {@link #attributes} reads attributes. */
  List<String> texts(String css) {
    return new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList());
  }

  /**
   * Waits until the elements at {@code css} carry exactly {@code expected} as {@code attribute} (any
   * order), finding them anew on every poll; fails with the values last seen.
   */
  void waitAttributes(String css, String attribute, java.util.Collection<String> expected) {
    List<String> want = expected.stream().sorted().toList();
    List<String> last = List.of();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      last = attributes(css, attribute).stream().sorted().toList();
      if (last.equals(want)) {
        return;
      }
      driver.executeScript("return new Promise(r => setTimeout(r, 100))"); // poll interval, bounded by WAIT
    }
    throw new AssertionError(css + " " + attribute + ": expected " + want + " but was " + last);
  }

  /** Clicks the element at {@code css}, finding it anew (a re-rendered page replaced the old one). */
  void click(String css) {
    new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> {
          d.findElement(By.cssSelector(css)).click();
          return true;
        });
  }

  /**
   * Presses Tab (from where the focus is) until the element at {@code css} has the focus, at most
   * {@code presses} times; false when it never got it (not keyboard reachable).
   */
  boolean tabTo(String css, int presses) {
    for (int i = 0; i < presses; i++) {
      new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.TAB).perform();
      if (Boolean.TRUE.equals(driver.executeScript("return document.activeElement.matches(arguments[0])", css))) {
        return true;
      }
    }
    return false;
  }

  /** Presses Enter on the focused element. */
  void enter() {
    new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.ENTER).perform();
  }

  /** The page's computed background and text colour of {@code css}, as "bg / fg". */
  String colours(String css) {
    return (String) driver.executeScript("const s = getComputedStyle(document.querySelector(arguments[0]));"
        + " return s.backgroundColor + ' / ' + s.color", css);
  }

  /** Light or dark, as the system would ask through {@code prefers-color-scheme}. */
  void colourScheme(String scheme) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
        List.of(java.util.Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  /** Accepts the page's confirm() dialog (Delete asks first). */
  void acceptConfirm() {
    wait(ExpectedConditions.alertIsPresent()).accept();
  }

  void waitText(String css, String text) {
    wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  /** A field of the Logs page's detail view. */
  String field(String name) {
    return find("#log-detail dd[data-field='" + name + "']").getText();
  }

  /** Screenshots at 1280 px and at a phone's width (390 px), then back to 1280. */
  void shoot(String name) throws Exception {
    for (var size : List.of(new Object[] {"1280", new Dimension(1280, 1000)}, new Object[] {"phone", new Dimension(390, 844)})) {
      driver.manage().window().setSize((Dimension) size[1]);
      driver.executeScript("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
      Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SHOTS.resolve(name + "-" + size[0] + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
    driver.manage().window().setSize(new Dimension(1280, 1000));
  }

  private <T> T wait(java.util.function.Function<? super org.openqa.selenium.WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).until(condition);
  }

  /** The UI's dollar format (lib.js usd): at least 2 decimals, at most 6, thousands separated. */
  static String usd(long nanos) {
    BigDecimal v = BigDecimal.valueOf(nanos).movePointLeft(9).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros();
    if (v.scale() < 2) {
      v = v.setScale(2);
    }
    return "$" + new java.text.DecimalFormat("#,##0." + "0".repeat(v.scale())).format(v);
  }

  @Override
  public void close() throws Exception {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
