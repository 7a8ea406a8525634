package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.harvester.support.ChangeFeed;
import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.JobYaml;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in headless Chromium against the real jar (dev profile), each view by its URL and each action
 * from its button: a wrong token said in words; the pipelines list and a pipeline's page (run now, pause and
 * resume, one step of the demo job from its list of steps, the chart of its runs); a run's page (its facts, the
 * CSV downloaded with the same bytes as on disk, re-run, cancel of a live run only, retry of a partial crawl's
 * failed lookups, the log with its level filter); the runs list with its filters and pages, back and reload; the
 * instances; the runs list at 420 px. Each step leaves a screenshot in target/console-screenshots (CI keeps
 * them). Needs Debian's chromium and chromium-driver (.ci/run installs them); without them the test is skipped.
 */
class ConsoleBrowserIT {

    private static final String TOKEN = "browser-token";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path downloads;
    private FakeUpstream slowUpstream;
    private FakeUpstream treeUpstream;
    private ChangeFeed changeFeed;
    private WebDriver browser;
    private WebDriverWait wait;
    private String base;

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        for (AutoCloseable upstream : new AutoCloseable[] {slowUpstream, treeUpstream, changeFeed}) {
            if (upstream != null) {
                try {
                    upstream.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void should_show_every_view_by_its_url_and_do_every_action_from_its_button() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
        Files.createDirectories(SCREENSHOTS);
        slowUpstream = FakeUpstream.start().total(100_000).latencyMs(200);
        changeFeed = ChangeFeed.start(30);
        String slow = ExportYaml.exports().export("slow", slowUpstream.url("/orders"), Map.of("pageSize", "10", "concurrency", "1"))
                .export("changes", changeFeed.url(), Map.of("pageSize", "10", "columns", "id,name,updated_at", "incrementalField",
                        "updated_at", "incrementalParam", "updated_since", "incrementalEndParam", "updated_before", "overridable", "pageSize")).yaml();
        // node 3 answers 503 twice: with one retry its lookup fails, and the run ends partial
        treeUpstream = FakeUpstream.start().tree(3, 3);
        treeUpstream.scriptNode("3", FakeUpstream.Answer.status(503), FakeUpstream.Answer.status(503));
        String flaky = CrawlYaml.crawl("flaky", treeUpstream.url("/tree"), Map.of("depth", "3", "retries", "1")).yaml();
        try (DaemonProcess daemon = DaemonProcess.prepare().env("HARVESTER_API_TOKEN", TOKEN)
                .routes("exports.camel.yaml", slow).routes("crawls.camel.yaml", flaky)
                .routes("halfway.camel.yaml", JobYaml.job("halfway", "first", "select 1", "second", "select * from no_such_table"))) {
            // no trigger held back after a failed run: the resumed run is started at once
            daemon.start("-Dharvester.jobs.halfway.skip-triggers=0");
            base = "http://127.0.0.1:" + daemon.port() + "/";
            browser = chromium();
            wait = new WebDriverWait(browser, Duration.ofSeconds(120));
            // the page without a fragment: the same URL with one again would not load it again after a refused connection
            wait.ignoring(Exception.class).until(d -> {
                d.get(base);
                return shown("token");
            });
            browser.get(base + "#/pipelines");

            // a wrong token is refused in words, the right one opens the view the URL names
            login("not-the-token");
            wait.until(d -> text("login-error").startsWith("The API refused this token (401)"));
            shot("01-wrong-token");
            login(TOKEN);
            List<String> pipelines = wait.until(d -> {
                List<String> rows = rowTexts("#pipelines-table");
                return rows.size() >= 3 ? rows : null;
            });
            assertThat(shown("login")).as("the token form is gone once the token is taken").isFalse();
            assertThat(text("login-error")).isEmpty();
            assertThat(pipelines).anyMatch(row -> row.startsWith("export:demo-orders active"))
                    .anyMatch(row -> row.startsWith("job:test-results-sync active 0 0 */4 * * ?"));
            shot("02-pipelines");
            // the dev profile's demo runs at start-up: a start while one is live would be refused (409)
            wait.until(d -> rowTexts("#pipelines-table").stream().filter(row -> row.startsWith("export:demo-orders ")
                    || row.startsWith("job:test-results-sync ")).noneMatch(row -> row.contains(" running ") || row.contains(" pending ")));

            // a pipeline's page: run now, and the run's page with what it did
            browser.findElement(By.linkText("export:demo-orders")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("#/pipelines/export%3Ademo-orders") && text("pipeline-name").equals("export:demo-orders"));
            browser.findElement(By.id("pipeline-run")).click();
            String firstRun = awaitRunPage("completed", null);
            assertThat(text("run-pipeline")).isEqualTo("export:demo-orders");
            assertThat(text("run-trigger")).isEqualTo("api");
            assertThat(text("run-progress")).isEqualTo("completed: 2,500 rows in 10 pages");
            assertThat(text("run-owner")).isNotBlank().doesNotContain("taken over");
            assertThat(shown("run-cancel")).as("no cancel on a finished run").isFalse();
            assertThat(rowTexts("#run-steps")).isNotEmpty().allMatch(row -> row.contains("completed"));
            WebElement file = wait.until(d -> d.findElements(By.cssSelector("#run-files a.download")).stream()
                    .filter(a -> a.getText().endsWith(".csv")).findFirst().orElse(null));
            String name = Path.of(file.getText()).getFileName().toString();
            file.click();
            Path downloaded = downloads.resolve(name);
            wait.until(d -> Files.exists(downloaded) && !Files.exists(downloads.resolve(name + ".crdownload")));
            Path published = daemon.folder().resolve("output").resolve("demo-orders").resolve(name);
            assertThat(Files.readAllBytes(downloaded)).isEqualTo(Files.readAllBytes(published));
            shot("03-run-completed");

            // the log's level filter: WARN and above leaves out the INFO lines
            wait.until(d -> text("run-log").contains("INFO"));
            new Select(browser.findElement(By.id("log-level"))).selectByValue("WARN");
            wait.until(d -> !text("run-log").contains(" INFO "));

            // reload keeps the run; re-run starts a new one
            browser.navigate().refresh();
            wait.until(d -> text("run-id").equals(firstRun));
            browser.findElement(By.id("run-rerun")).click();
            String secondRun = awaitRunPage("completed", firstRun);
            assertThat(Long.parseLong(secondRun)).isGreaterThan(Long.parseLong(firstRun));

            // the chart of its runs: one bar per run, coloured by status, each a link to its run
            browser.findElement(By.id("run-pipeline")).click();
            // (the dev profile's demo export also runs at start-up: its bars come first)
            wait.until(d -> barsOf("#chart-duration").contains(secondRun + " status-completed"));
            assertThat(barsOf("#chart-duration")).endsWith(firstRun + " status-completed", secondRun + " status-completed")
                    .allMatch(bar -> bar.matches("\\d+ status-[a-z]+"));
            assertThat(barsOf("#chart-records")).isEqualTo(barsOf("#chart-duration"));
            assertThat(text("chart-count")).isEqualTo(String.valueOf(barsOf("#chart-duration").size()));
            shot("04-pipeline-chart");

            // pause: no run starts; resume: it runs again
            browser.findElement(By.id("pipeline-pause")).click();
            wait.until(d -> text("pipeline-state").equals("paused") && !d.findElement(By.id("pipeline-run")).isEnabled());
            browser.get(base + "#/pipelines");
            wait.until(d -> rowTexts("#pipelines-table").stream().anyMatch(row -> row.startsWith("export:demo-orders paused")));
            browser.navigate().back();
            wait.until(d -> shown("pipeline-resume"));
            browser.findElement(By.id("pipeline-resume")).click();
            wait.until(d -> text("pipeline-state").equals("active") && d.findElement(By.id("pipeline-run")).isEnabled());

            // one step of the demo job, chosen from its list of steps
            browser.get(base + "#/pipelines/job:test-results-sync");
            wait.until(d -> shown("pipeline-one-step"));
            new Select(browser.findElement(By.id("pipeline-step"))).selectByVisibleText("c_testcase_insert");
            browser.findElement(By.id("pipeline-step-start")).click();
            awaitRunPage("completed", null);
            assertThat(rowTexts("#run-steps")).singleElement().asString().contains("c_testcase_insert").contains("completed");
            assertThat(text("run-progress")).isEqualTo("completed: 1 of 1 step");
            shot("05-job-step");

            // a job that failed at its second step: its newest run offers to resume there, the first step is not run again
            runNowFrom("job:halfway");
            String failedJob = awaitRunPage("failed", null);
            assertThat(text("run-resumes")).isEqualTo("nothing: it started anew");
            wait.until(d -> text("run-rerun").equals("Resume from the failed step"));
            // the steps as the run ended them (seen once: "2 second running" beside a failed run; a run's end that met
            // its step's start left that state for good until StepStartCancelTest's fix), waited for all the same
            awaitSteps(row -> row.startsWith("1 first completed"), row -> row.startsWith("2 second failed") && row.contains("no_such_table"));
            browser.findElement(By.id("run-rerun")).click();
            awaitRunPage("failed", failedJob);
            assertThat(text("run-resumes")).isEqualTo("run " + failedJob);
            awaitSteps(row -> row.startsWith("1 first skipped"), row -> row.startsWith("2 second failed"));
            shot("06-job-resumed");

            // a partial crawl: retry its failed lookups, only those subtrees are asked again
            runNowFrom("crawl:flaky");
            String partialRun = awaitRunPage("partial", null);
            assertThat(text("run-progress")).isEqualTo("partial: 27 nodes, 1 lookup failed");
            treeUpstream.resetCounters();
            wait.until(d -> shown("run-retry"));
            shot("07-crawl-partial");
            browser.findElement(By.id("run-retry")).click();
            awaitRunPage("completed", partialRun);
            assertThat(treeUpstream.lookupCounts()).isEqualTo(Map.of("3", 1, "3-1", 1, "3-2", 1, "3-3", 1));

            // a long export cancelled from its page: cancel shows only while it is live
            runNowFrom("export:slow");
            String slowRun = awaitRunPage("running", null);
            assertThat(shown("run-rerun")).isFalse();
            browser.findElement(By.id("run-cancel")).click();
            wait.withMessage(() -> "run page says " + text("run-status") + " / " + text("run-error"))
                    .until(d -> "cancelled".equals(text("run-status")) && !shown("run-cancel"));
            wait.withMessage(() -> null);
            try (Stream<Path> left = Files.list(daemon.folder().resolve("output").resolve("slow"))) {
                assertThat(left.filter(p -> p.getFileName().toString().endsWith(".csv")).toList()).as("nothing published").isEmpty();
            }

            // an incremental export: its watermark after a run, a backfill window that leaves it alone, a reset
            runNowFrom("export:changes");
            String changesRun = awaitRunPage("completed", null);
            browser.get(base + "#/pipelines/export:changes");
            wait.until(d -> text("pipeline-watermark").equals("2026-01-01T00:00:30Z (set by run " + changesRun + ", just now)")
                    || text("pipeline-watermark").startsWith("2026-01-01T00:00:30Z (set by run " + changesRun + ", "));
            // two records changed above the watermark, inside the window: read, and still nothing moves
            changeFeed.touchSpread(java.time.Instant.parse("2026-01-01T01:00:00Z"), 5, 6);
            browser.findElement(By.id("backfill-from")).sendKeys("2026-01-01T00:00:05Z");
            browser.findElement(By.id("backfill-to")).sendKeys("2026-01-01T01:00:05Z");
            changeFeed.resetRequests();
            browser.findElement(By.id("backfill-start")).click();
            String backfillRun = awaitRunPage("completed", changesRun);
            assertThat(text("run-params")).contains("\"given\":{\"to\":\"2026-01-01T01:00:05Z\",\"from\":\"2026-01-01T00:00:05Z\"}");
            String window = "/changes?updated_since=2026-01-01T00%3A00%3A05Z&updated_before=2026-01-01T01%3A00%3A05Z";
            assertThat(changeFeed.requestUris()).containsExactlyInAnyOrder(window + "&page=1&size=10", window + "&page=2&size=10",
                    window + "&page=3&size=10");
            browser.get(base + "#/pipelines/export:changes");
            wait.until(d -> text("pipeline-watermark").startsWith("2026-01-01T00:00:30Z (set by run " + changesRun + ", "));
            browser.findElement(By.id("watermark-value")).sendKeys("2026-01-01T00:00:20Z");
            browser.findElement(By.id("watermark-set")).click();
            wait.until(d -> text("pipeline-action").equals("watermark set to 2026-01-01T00:00:20Z: the next run reads from it")
                    && text("pipeline-watermark").startsWith("2026-01-01T00:00:20Z (set by api, "));
            shot("10-incremental-export");
            // a setting the export lets a start override: the run reads with it, and records it
            changeFeed.resetRequests();
            browser.findElement(By.cssSelector("#pipeline-setting-inputs input[data-param=pageSize]")).sendKeys("15");
            browser.findElement(By.id("settings-start")).click();
            awaitRunPage("completed", backfillRun);
            assertThat(text("run-params")).contains("\"given\":{\"pageSize\":\"15\"}");
            assertThat(changeFeed.requestUris()).containsExactlyInAnyOrder(
                    "/changes?updated_since=2026-01-01T00%3A00%3A20Z&page=1&size=15");
            browser.get(base + "#/pipelines/export:changes");
            wait.until(d -> text("pipeline-name").equals("export:changes"));
            assertThat(shown("pipeline-incremental")).isTrue();
            browser.get(base + "#/pipelines/export:slow");
            wait.until(d -> text("pipeline-name").equals("export:slow"));
            assertThat(shown("pipeline-incremental")).as("a full export has no watermark").isFalse();
            assertThat(shown("pipeline-settings")).as("nor settings to override").isFalse();

            // the runs list: a part of a name finds its runs, filters and pages are in the URL, back goes back
            browser.get(base + "#/runs?search=DEMO-ord&status=completed");
            wait.withMessage(() -> null).until(d -> rowTexts("#runs-table").stream().anyMatch(row -> row.startsWith(secondRun + " ")));
            assertThat(rowTexts("#runs-table")).hasSizeGreaterThanOrEqualTo(2).anyMatch(row -> row.startsWith(firstRun + " "));
            assertThat(rowTexts("#runs-table")).allMatch(row -> row.contains("export:demo-orders completed"))
                    .allMatch(row -> row.contains("ago") && row.contains(" 2,500 "));
            assertThat(browser.findElement(By.id("filter-search")).getAttribute("value")).isEqualTo("DEMO-ord");
            shot("08-runs-filtered");
            browser.get(base + "#/runs?search=demo-orders&limit=1");
            wait.until(d -> rowTexts("#runs-table").size() == 1 && rowTexts("#runs-table").get(0).startsWith(secondRun + " "));
            browser.findElement(By.id("page-next")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("#/runs?search=demo-orders&limit=1&offset=1")
                    && rowTexts("#runs-table").size() == 1 && rowTexts("#runs-table").get(0).startsWith(firstRun + " "));
            browser.navigate().back();
            wait.until(d -> rowTexts("#runs-table").size() == 1 && rowTexts("#runs-table").get(0).startsWith(secondRun + " "));
            browser.get(base + "#/runs?search=slow");
            wait.until(d -> rowTexts("#runs-table").size() == 1);
            new Select(browser.findElement(By.id("filter-trigger"))).selectByVisibleText("schedule");
            browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("#/runs?search=slow&trigger=schedule") && text("page-info").equals("no runs"));
            new Select(browser.findElement(By.id("filter-trigger"))).selectByVisibleText("api");
            browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
            wait.until(d -> rowTexts("#runs-table").size() == 1 && rowTexts("#runs-table").get(0).startsWith(slowRun + " export:slow cancelled"));

            // the instances: this one, alive
            browser.get(base + "#/instances");
            List<String> instances = wait.until(d -> {
                List<String> rows = rowTexts("#instances-table");
                return rows.isEmpty() ? null : rows;
            });
            assertThat(instances).singleElement().asString().contains("(this one)").contains(" yes ");

            // 420 px wide: nothing wider than the window, the runs table scrolls in its own box
            browser.manage().window().setSize(new Dimension(420, 900));
            browser.get(base + "#/runs");
            wait.until(d -> !rowTexts("#runs-table").isEmpty());
            // the layout once the resize has settled (headless Chromium applies it asynchronously: a width read at once
            // was 420 against a client width of 405 once, under load); an element still wider after 10 s is named
            String overflow = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth ? null"
                    + " : document.documentElement.scrollWidth + ' > ' + document.documentElement.clientWidth + ': ' + Array.from("
                    + "document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement"
                    + ".clientWidth).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 5).join(', ');";
            new WebDriverWait(browser, Duration.ofSeconds(10)).withMessage(() -> "page wider than the window at 420 px: "
                    + ((JavascriptExecutor) browser).executeScript(overflow))
                    .until(d -> ((JavascriptExecutor) d).executeScript(overflow) == null);
            shot("09-runs-420px");
        }
    }

    /** Waits (up to 10 s, the console polling every 2 s) for the run page's steps to be exactly these, in order. */
    @SafeVarargs
    private void awaitSteps(java.util.function.Predicate<String>... rows) {
        new WebDriverWait(browser, Duration.ofSeconds(10)).withMessage(() -> "steps shown: " + rowTexts("#run-steps"))
                .until(d -> {
                    List<String> shown = rowTexts("#run-steps");
                    if (shown.size() != rows.length) {
                        return false;
                    }
                    for (int i = 0; i < rows.length; i++) {
                        if (!rows[i].test(shown.get(i))) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Opens a pipeline's page by its URL and presses Run now. */
    private void runNowFrom(String pipeline) {
        browser.get(base + "#/pipelines/" + pipeline);
        wait.until(d -> text("pipeline-name").equals(pipeline));
        browser.findElement(By.id("pipeline-run")).click();
    }

    private void login(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#login button")).click();
    }

    /** Waits for the page of a run other than {@code previous} (null: any) in {@code status}, the URL naming it; its id. */
    private String awaitRunPage(String status, String previous) {
        wait.withMessage(() -> "run page at " + browser.getCurrentUrl() + " says " + text("run-status") + " / "
                        + text("run-error") + " / " + text("run-action") + text("pipeline-action"))
                .until(d -> d.getCurrentUrl().matches(".*#/runs/\\d+$") && status.equals(text("run-status"))
                        && d.getCurrentUrl().endsWith("#/runs/" + text("run-id")) && !text("run-id").equals(previous));
        wait.withMessage(() -> null);
        return text("run-id");
    }

    /** Whether the element is shown: the console hides what does not apply with the hidden attribute. */
    private boolean shown(String id) {
        return (Boolean) ((JavascriptExecutor) browser).executeScript(
                "const e = document.getElementById(arguments[0]); return !!e && e.getClientRects().length > 0;", id);
    }

    private String text(String id) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "const e = document.getElementById(arguments[0]); return e ? e.innerText.trim() : '';", id);
    }

    /**
     * The text of each row of a table (its cells' text joined by a space), read in one script: the console redraws
     * a table when its data changed, so row elements looked up one call and read the next can be gone in between.
     */
    @SuppressWarnings("unchecked")
    private List<String> rowTexts(String table) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'),"
                        + " row => Array.from(row.cells, cell => cell.innerText.trim()).join(' '));", table);
    }

    /** A chart's bars, oldest first: "runId status-class". */
    @SuppressWarnings("unchecked")
    private List<String> barsOf(String chart) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll(arguments[0] + ' rect'), r => r.dataset.run + ' ' + r.getAttribute('class'));",
                chart);
    }

    private void shot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }
}
