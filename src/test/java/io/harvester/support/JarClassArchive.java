package io.harvester.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * A class-data archive (AppCDS) of the built jar, which test daemons start from on about 40% less CPU: the one
 * {@code mvn package} made beside the jar when it is there and newer than the jar, else made once per build by a
 * daemon of its own ({@code -XX:ArchiveClassesAtExit}), whose exit writes it, and named
 * after the jar's size and time so that a rebuilt jar gets a new one (a JVM handed an archive of another jar
 * warns on its console). The test forks share it: the first makes it, the other waits on a file lock.
 */
final class JarClassArchive {

    private static Optional<Path> archive;

    private JarClassArchive() {
    }

    /** The archive of {@code jar}, made now if need be; none when it cannot be made (the daemons start without it). */
    static synchronized Optional<Path> of(Path jar) {
        if (archive == null) {
            archive = make(jar);
        }
        return archive;
    }

    private static Optional<Path> make(Path jar) {
        try {
            // mvn package makes one right after the jar (target/harvester.jsa): the same archive a user starts from
            Path packaged = jar.resolveSibling("harvester.jsa");
            if (Files.exists(packaged) && Files.getLastModifiedTime(packaged).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
                return Optional.of(packaged);
            }
            Path file = jar.resolveSibling(jar.getFileName() + "-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + ".jsa");
            try (FileChannel lockFile = FileChannel.open(jar.resolveSibling(jar.getFileName() + ".jsa.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                if (!Files.exists(file)) {
                    Path written = file.resolveSibling(file.getFileName() + ".tmp");
                    Files.deleteIfExists(written);
                    try (DaemonProcess daemon = DaemonProcess.prepare().prod()) {
                        daemon.launch("-XX:ArchiveClassesAtExit=" + written).awaitHealthy(Duration.ofSeconds(120));
                        daemon.process().destroy();
                        daemon.exitCodeWithin(60);
                    }
                    Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return Optional.of(file);
        } catch (Exception e) {
            System.err.println("no class-data archive of " + jar + " (the test daemons start without one): " + e);
            return Optional.empty();
        }
    }
}
