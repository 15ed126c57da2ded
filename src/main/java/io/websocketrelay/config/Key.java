package io.websocketrelay.config;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * One setting: its environment variable, its system property, its default and what it means.
 *
 * <p>A value is looked up as the environment variable first, then the system property, then the default. The
 * variable is the property's name upper-cased with {@code .} and {@code -} turned into {@code _}: the property
 * {@code relay.max-message-bytes} is the variable {@code RELAY_MAX_MESSAGE_BYTES}. The launcher also takes it as the
 * option {@code --max-message-bytes}.
 *
 * @param property     the system property, e.g. {@code relay.max-message-bytes}
 * @param defaultValue the value used when neither the variable nor the property is set
 * @param description  one line for {@code --help}
 * @param optionName   the launcher's option when it is not derived from the property, else {@code null}
 */
public record Key(String property, String defaultValue, String description, String optionName) {

    /** A key whose option is derived from its property. */
    public Key(String property, String defaultValue, String description) {
        this(property, defaultValue, description, null);
    }

    /** @return the environment variable that sets this key, e.g. {@code RELAY_MAX_MESSAGE_BYTES} */
    public String variable() {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** @return the launcher's option for this key, e.g. {@code --max-message-bytes} */
    public String option() {
        return optionName != null ? optionName : "--" + property.substring(property.indexOf('.') + 1);
    }

    /**
     * @param environment the environment variables
     * @param properties  the system properties
     * @return the value of this key, never {@code null}
     */
    public String read(UnaryOperator<String> environment, UnaryOperator<String> properties) {
        String value = environment.apply(variable());
        if (value == null || value.isBlank()) {
            value = properties.apply(property);
        }
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    /**
     * @param value the text to parse
     * @param min   the smallest value allowed
     * @return the value as a number
     * @throws IllegalArgumentException naming this key when the value is not a number of at least {@code min}
     */
    public long parseLong(String value, long min) {
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable() + " must be a whole number, not '" + value + "'");
        }
        if (parsed < min) {
            throw new IllegalArgumentException(variable() + " must be at least " + min + ", not " + parsed);
        }
        return parsed;
    }
}
