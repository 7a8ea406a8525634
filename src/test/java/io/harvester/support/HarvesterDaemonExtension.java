package io.harvester.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Opens a {@link DaemonScope} per class or per test ({@link HarvesterDaemon#scope()}), puts it into the test's
 * {@code DaemonScope} fields and stops its daemons after the class's {@code @AfterAll} or the test's
 * {@code @AfterEach} methods, before JUnit closes the {@code @AutoClose} fields (the fake upstreams): a daemon
 * never outlives its test, nor loses its upstream while it still runs.
 */
final class HarvesterDaemonExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HarvesterDaemonExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        if (scope(context) == HarvesterDaemon.Scope.CLASS) {
            open(context, null);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        if (scope(context) == HarvesterDaemon.Scope.METHOD) {
            open(context, context.getRequiredTestInstance());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close(context);
    }

    private static HarvesterDaemon.Scope scope(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), HarvesterDaemon.class)
                .orElseThrow().scope();
    }

    /** A new scope in the fields of {@code instance} (the static ones when null). */
    private static void open(ExtensionContext context, Object instance) throws IllegalAccessException {
        DaemonScope scope = new DaemonScope(context.getRequiredTestClass().getSimpleName());
        context.getStore(NAMESPACE).put(DaemonScope.class, scope);
        List<Field> fields = scopeFields(context.getRequiredTestClass(), instance == null);
        if (fields.isEmpty()) {
            throw new IllegalStateException(context.getRequiredTestClass().getName() + " is @HarvesterDaemon(scope = "
                    + scope(context) + ") but declares no " + (instance == null ? "static " : "non-static ")
                    + DaemonScope.class.getSimpleName() + " field");
        }
        for (Field field : fields) {
            field.setAccessible(true);
            field.set(instance, scope);
        }
    }

    private static void close(ExtensionContext context) {
        DaemonScope scope = context.getStore(NAMESPACE).remove(DaemonScope.class, DaemonScope.class);
        if (scope != null) {
            scope.close();
        }
    }

    private static List<Field> scopeFields(Class<?> type, boolean statics) {
        List<Field> found = new ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() == DaemonScope.class && Modifier.isStatic(field.getModifiers()) == statics) {
                    found.add(field);
                }
            }
        }
        return found;
    }
}
