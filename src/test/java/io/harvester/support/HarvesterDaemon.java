package io.harvester.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class whose tests run daemons in this JVM ({@link HarvesterRuntime}): the class declares a field of type
 * {@link DaemonScope} (static for {@link Scope#CLASS}), which the extension fills before the class's
 * {@code @BeforeAll} (CLASS) or each test's {@code @BeforeEach} (METHOD) and stops after it. Every daemon started
 * through it shares the scope's database, a fresh copy of the migrated one ({@link TestStorage}); PostgreSQL and
 * Redis are the JVM's own.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(HarvesterDaemonExtension.class)
public @interface HarvesterDaemon {

    Scope scope() default Scope.CLASS;

    enum Scope {
        /** One scope for the whole class: its tests share the daemon and the database. */
        CLASS,
        /** One scope per test: a database and daemons of the test's own. */
        METHOD
    }
}
