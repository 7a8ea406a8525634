package io.harvester.reload;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.main.DefaultRoutesCollector;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;

/**
 * Camel's collector of route files, keeping the text of each route file as Camel reads it: Camel loads
 * that very text (handed on in memory), and live route edits ({@link RouteFileReload}) start from it, so
 * an edit saved between Camel's read and the start of the watcher is still seen as a change.
 */
public final class LoadedRouteFiles extends DefaultRoutesCollector {

    /** Route file (absolute) to the text Camel loaded, the last read winning. */
    private final Map<Path, String> texts = new ConcurrentHashMap<>();

    public Map<Path, String> texts() {
        return texts;
    }

    @Override
    public Collection<Resource> findRouteResourcesFromDirectory(CamelContext camelContext, String excludes, String includes) {
        Collection<Resource> found = super.findRouteResourcesFromDirectory(camelContext, excludes, includes);
        List<Resource> kept = new ArrayList<>(found.size());
        for (Resource resource : found) {
            String location = resource.getLocation();
            if (location == null || !location.startsWith("file:") || !RouteDeclarations.isRouteFile(Path.of(location.substring(5)))) {
                kept.add(resource);
                continue;
            }
            String text;
            try (InputStream in = resource.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                // Camel reads it itself and reports what is wrong
                kept.add(resource);
                continue;
            }
            texts.put(Path.of(location.substring(5)).toAbsolutePath().normalize(), text);
            kept.add(ResourceHelper.fromString(location, text));
        }
        return kept;
    }
}
