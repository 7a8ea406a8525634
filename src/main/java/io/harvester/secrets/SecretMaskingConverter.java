package io.harvester.secrets;

import java.util.List;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.core.pattern.PatternFormatter;

/**
 * {@code %mask{pattern}} in log4j2.xml: formats the nested pattern (message and stack trace) and masks
 * every {@link Secrets} value in it, whichever library wrote the line: an exception message carrying a
 * URL with a key is masked as well as our own lines.
 */
@Plugin(name = "SecretMaskingConverter", category = PatternConverter.CATEGORY)
@ConverterKeys({"mask"})
public final class SecretMaskingConverter extends LogEventPatternConverter {

    private final List<PatternFormatter> formatters;

    private SecretMaskingConverter(List<PatternFormatter> formatters) {
        super("mask", "mask");
        this.formatters = formatters;
    }

    public static SecretMaskingConverter newInstance(Configuration config, String[] options) {
        if (options == null || options.length != 1) {
            throw new IllegalArgumentException("%mask takes one nested pattern, e.g. %mask{%msg%n%throwable}");
        }
        return new SecretMaskingConverter(PatternLayout.createPatternParser(config).parse(options[0]));
    }

    @Override
    public void format(LogEvent event, StringBuilder toAppendTo) {
        int start = toAppendTo.length();
        for (PatternFormatter formatter : formatters) {
            formatter.format(event, toAppendTo);
        }
        String written = toAppendTo.substring(start);
        String masked = Secrets.mask(written);
        if (!masked.equals(written)) {
            toAppendTo.setLength(start);
            toAppendTo.append(masked);
        }
    }

    /** The nested pattern prints the stack trace: the layout must not print it again, unmasked. */
    @Override
    public boolean handlesThrowable() {
        return true;
    }
}
