package io.harvester.reload;

import java.nio.file.Path;

/** Route files' paths: absolute and normalized where they are keys, as the operator knows them where a line names them. */
final class FileNames {

    private FileNames() {
    }

    static Path absolute(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** A file as the operator knows it: relative to the working directory when inside it. */
    static String display(Path file) {
        Path here = absolute(Path.of(""));
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }
}
