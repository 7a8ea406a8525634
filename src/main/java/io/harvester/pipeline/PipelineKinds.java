package io.harvester.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.harvester.infra.NearestName;
import org.apache.camel.CamelContext;

/** The pipeline kinds bound in a context's registry, found by the prefix of a pipeline's name. */
public final class PipelineKinds {

    private PipelineKinds() {
    }

    /** The kind of {@code <kind>:<name>}; a pipeline of no known kind is refused, naming the kinds there are. */
    public static PipelineKind of(CamelContext context, String pipeline) {
        return of(all(context), pipeline);
    }

    /** The kind of {@code <kind>:<name>} among {@code kinds} (as {@link #all} gave them, for a look-up per pipeline). */
    public static PipelineKind of(Map<String, PipelineKind> kinds, String pipeline) {
        String name = kindName(pipeline);
        PipelineKind kind = kinds.get(name);
        if (kind == null) {
            throw new IllegalArgumentException("pipeline " + pipeline + ": no pipeline kind '" + name + "'"
                    + NearestName.suggestion(name, new TreeSet<>(kinds.keySet())) + " (kinds: " + kinds.keySet() + ")");
        }
        return kind;
    }

    /** The kind part of {@code <kind>:<name>}; a pipeline not named so is refused. */
    public static String kindName(String pipeline) {
        int colon = pipeline.indexOf(':');
        if (colon < 1 || colon == pipeline.length() - 1) {
            throw new IllegalArgumentException("pipeline '" + pipeline + "' is not named <kind>:<name>");
        }
        return pipeline.substring(0, colon);
    }

    /** Every kind bound, by name. */
    public static Map<String, PipelineKind> all(CamelContext context) {
        Map<String, PipelineKind> kinds = new TreeMap<>();
        context.getRegistry().findByType(PipelineKind.class).forEach(kind -> {
            PipelineKind other = kinds.putIfAbsent(kind.name(), kind);
            if (other != null && other != kind) {
                throw new IllegalStateException("two pipeline kinds are named '" + kind.name() + "': "
                        + other.getClass().getName() + " and " + kind.getClass().getName());
            }
        });
        return kinds;
    }
}
