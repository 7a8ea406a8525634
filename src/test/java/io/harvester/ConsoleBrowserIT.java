package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in headless Chromium against the real jar (dev profile): enter the token, start the demo
 * export and see it complete on this instance (listed alive among the instances), download its CSV (same bytes
 * as on disk), run one step of the demo job,
 * cancel a long export and see it cancelled. Needs Debian's chromium and chromium-driver (.ci/run
 * installs them); without them the test is skipped.
 */
class ConsoleBrowserIT {

    private static final String TOKEN = "browser-token";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path downloads;
    private FakeUpstream upstream;
    private WebDriver browser;

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void should_start_watch_download_run_one_step_and_cancel_from_the_console() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
        upstream = FakeUpstream.start().total(100_000).latencyMs(200);
        String slow = ExportYaml.exports().export("slow", upstream.url("/orders"), Map.of("pageSize", "10", "concurrency", "1")).yaml();
        try (DaemonProcess daemon = DaemonProcess.prepare().env("HARVESTER_API_TOKEN", TOKEN).routes("exports.camel.yaml", slow)) {
            daemon.start();
            browser = chromium();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(120));
            wait.ignoring(Exception.class).until(d -> {
                d.get("http://127.0.0.1:" + daemon.port() + "/");
                return d.findElement(By.id("token")).isDisplayed();
            });
            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.cssSelector("#login button")).click();
            wait.until(d -> !d.findElements(By.xpath("//select[@id='start-pipeline']/option[.='export:demo-orders']")).isEmpty());

            // the demo export, started from the page, completes there
            start("export:demo-orders", "complete", "");
            wait.until(d -> "completed".equals(d.findElement(By.id("run-status")).getText()));
            WebElement file = wait.until(d -> d.findElements(By.cssSelector("#run-files a.download")).stream()
                    .filter(a -> a.getText().endsWith(".csv")).findFirst().orElse(null));
            String name = Path.of(file.getText()).getFileName().toString();
            file.click();
            Path downloaded = downloads.resolve(name);
            wait.until(d -> Files.exists(downloaded) && !Files.exists(downloads.resolve(name + ".crdownload")));
            Path published = daemon.folder().resolve("output").resolve("demo-orders").resolve(name);
            assertThat(Files.readAllBytes(downloaded)).isEqualTo(Files.readAllBytes(published));
            assertThat(Files.readAllLines(downloaded)).hasSize(2501);

            // the run page names the instance that ran it; the instances table lists this one, alive
            assertThat(browser.findElement(By.id("run-owner")).getText()).startsWith("Instance: ").doesNotContain("taken over");
            String instance = browser.findElement(By.id("run-owner")).getText().substring("Instance: ".length());
            List<String> instances = wait.until(d -> {
                List<String> rows = rowTexts("#instances-table");
                return rows.isEmpty() ? null : rows;
            });
            assertThat(instances).singleElement().asString().startsWith(instance + " (this one)").contains(" yes ");

            // one step of the demo job
            start("job:test-results-sync", "single", "c_testcase_insert");
            wait.until(d -> "completed".equals(d.findElement(By.id("run-status")).getText()));
            List<String> steps = rowTexts("#run-steps");
            assertThat(steps).anyMatch(row -> row.contains("c_testcase_insert") && row.contains("completed"));

            // a long export, cancelled from its page
            start("export:slow", "complete", "");
            wait.until(d -> "running".equals(d.findElement(By.id("run-status")).getText()));
            browser.findElement(By.id("run-cancel")).click();
            wait.withMessage(() -> "run page says " + browser.findElement(By.id("run-status")).getText() + " / "
                    + browser.findElement(By.id("run-error")).getText())
                    .until(d -> "cancelled".equals(d.findElement(By.id("run-status")).getText()));
            try (Stream<Path> left = Files.list(daemon.folder().resolve("output").resolve("slow"))) {
                assertThat(left.filter(p -> p.getFileName().toString().endsWith(".csv")).toList()).as("nothing published").isEmpty();
            }
        }
    }

    /**
     * The text of each row of a table (its cells' text joined by a space, as WebElement.getText gives it), read in one
     * script: the console redraws its tables every 2 s, so row elements
     * looked up one call and read the next can be gone in between (StaleElementReferenceException).
     */
    @SuppressWarnings("unchecked")
    private List<String> rowTexts(String table) {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'),"
                        + " row => Array.from(row.cells, cell => cell.innerText.trim()).join(' '));", table);
    }

    private void start(String pipeline, String mode, String step) {
        new Select(browser.findElement(By.id("start-pipeline"))).selectByVisibleText(pipeline);
        new Select(browser.findElement(By.id("start-mode"))).selectByValue(mode);
        WebElement stepField = browser.findElement(By.id("start-step"));
        stepField.clear();
        stepField.sendKeys(step);
        String before = browser.findElement(By.id("start-result")).getText();
        browser.findElement(By.cssSelector("#start-form button")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            String now = d.findElement(By.id("start-result")).getText();
            return !now.equals(before) && now.startsWith("started run ")
                    && d.findElement(By.id("run-id")).getText().equals(now.substring("started run ".length()));
        });
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }
}
