package io.harvester.infra;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a data directory as initdb left it, kept beside the unpacked PostgreSQL binaries: the next new data
 * directory is a copy of it (a tenth of a second) instead of another initdb (1.7 s of a first start). initdb always
 * runs with the same options here, so the copy is the directory it would have written. The package build's
 * start of the jar (the class-data archive) leaves one behind, so a user's first start finds it.
 */
final class InitdbTemplate {

    private static final Logger LOG = LoggerFactory.getLogger(InitdbTemplate.class);
    /** Written last into a complete template: a copy interrupted halfway has none and is not used. */
    private static final String COMPLETE = ".harvester-complete";
    private static final String PG_VERSION = "PG_VERSION";

    private final Path template;

    /** The template for the binaries unpacked in {@code binaries}. */
    InitdbTemplate(Path binaries) {
        this.template = binaries.resolveSibling(binaries.getFileName() + "-initdb");
    }

    /** Fills the empty {@code dataDir} from the template; false when there is none yet. */
    boolean copyInto(Path dataDir, UserPrincipal owner) throws IOException {
        if (!Files.exists(template.resolve(COMPLETE))) {
            return false;
        }
        copy(template, dataDir, owner);
        Files.deleteIfExists(dataDir.resolve(COMPLETE));
        // last: a data directory counts as made once it has PG_VERSION, so a copy cut short is made again next time
        Path version = dataDir.resolve(PG_VERSION);
        Files.copy(template.resolve(PG_VERSION), version, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        if (owner != null) {
            Files.setOwner(version, owner);
        }
        LOG.info("Embedded PostgreSQL data directory {} made from the initdb template {}", dataDir, template);
        return true;
    }

    /** Keeps the data directory initdb just made as the template, unless another process kept one first. */
    void keep(Path freshDataDir) {
        if (Files.exists(template.resolve(COMPLETE))) {
            return;
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory(template.getParent(), template.getFileName() + "-");
            copy(freshDataDir, staging, null);
            Files.copy(freshDataDir.resolve(PG_VERSION), staging.resolve(PG_VERSION), StandardCopyOption.COPY_ATTRIBUTES);
            Files.createFile(staging.resolve(COMPLETE));
            Files.move(staging, template, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException anotherWasFirst) {
            // another Harvester kept its own a moment before: that one serves
        } catch (IOException e) {
            LOG.debug("No initdb template kept in {}: {}", template, e.getMessage());
        } finally {
            if (staging != null) {
                delete(staging);
            }
        }
    }

    /** Copies everything but PG_VERSION, which the callers copy last. */
    private static void copy(Path from, Path to, UserPrincipal owner) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : (Iterable<Path>) all::iterator) {
                if (source.equals(from.resolve(PG_VERSION))) {
                    continue;
                }
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
                if (owner != null) {
                    Files.setOwner(target, owner);
                }
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover staging folder in the temp directory; the next keep makes its own
        }
    }
}
