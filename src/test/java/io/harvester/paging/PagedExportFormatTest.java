package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JSON Lines beside CSV, and either gzip'd: the same records, the same atomic publish, the file on disk recorded. */
@HarvesterDaemon
class PagedExportFormatTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(230);
        harvester = daemons.start(ExportYaml.exports()
                .export("lines", upstream.url("/orders"), Map.of("pageSize", "50", "format", "jsonl"))
                .export("linesgz", upstream.url("/orders"), Map.of("pageSize", "50", "format", "jsonl", "compress", "gzip"))
                .export("csvgz", upstream.url("/orders"), Map.of("pageSize", "50", "compress", "gzip")).yaml(), Map.of());
    }

    @Test
    void should_write_each_record_as_the_api_sent_it_on_a_line_of_its_own() throws Exception {
        harvester.runNow("export:lines");
        Path file = onlyFile("lines", ".jsonl");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(230);
        // each line is the record's JSON text as the API wrote it (numbers such as 1.37 kept as written)
        List<String> expected = new ArrayList<>();
        for (long id = 1; id <= 230; id++) {
            expected.add(JSON.writeValueAsString(OrderRecords.record(id)));
        }
        assertThat(lines).isEqualTo(expected);
        assertThat(Files.readString(file)).endsWith("}\n");
        assertRecorded("lines", file, 230);
    }

    @Test
    void should_gzip_the_same_bytes_an_uncompressed_export_writes() throws Exception {
        harvester.runNow("export:csvgz");
        Path csvgz = onlyFile("csvgz", ".csv.gz");
        assertThat(new String(gunzip(csvgz), StandardCharsets.UTF_8)).isEqualTo(OrderRecords.csv(230));
        assertRecorded("csvgz", csvgz, 230);

        harvester.runNow("export:lines");
        harvester.runNow("export:linesgz");
        Path plain = onlyFile("lines", ".jsonl");
        Path linesgz = onlyFile("linesgz", ".jsonl.gz");
        assertThat(gunzip(linesgz)).isEqualTo(Files.readAllBytes(plain));
        assertRecorded("linesgz", linesgz, 230);
    }

    /** The newest run's published file, ending in {@code suffix}; no temporary file is left beside it. */
    private static Path onlyFile(String export, String suffix) throws Exception {
        String path = (String) harvester.query("select o.path from run_outputs o join runs r on r.id = o.run_id where o.\"primary\""
                + " and r.pipeline = 'export:" + export + "' order by o.run_id desc limit 1").get(0).get("path");
        Path file = harvester.outputDir().resolve(export).resolve(path);
        assertThat(file.getFileName().toString()).endsWith(suffix);
        try (var files = Files.list(harvester.outputDir().resolve(export))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
        return file;
    }

    /** run_outputs names the file with the bytes and SHA-256 of what is on disk. */
    private static void assertRecorded(String export, Path file, long rows) throws Exception {
        byte[] content = Files.readAllBytes(file);
        assertThat(harvester.query("select o.path, o.bytes, o.rows, o.sha256 from run_outputs o join runs r on r.id = o.run_id"
                + " where o.\"primary\" and r.pipeline = 'export:" + export + "' order by o.run_id desc limit 1"))
                .containsExactly(Map.of("path", file.getFileName().toString(), "bytes", (long) content.length, "rows", rows,
                        "sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content))));
    }

    private static byte[] gunzip(Path file) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
