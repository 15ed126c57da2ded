package io.websocketrelay.launcher;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets Tyrus take endpoint instances from the launcher's Weld container, so that {@code @Inject} works in the
 * standalone relay as it does on an application server.
 *
 * <p>Registered through {@code META-INF/services} of the launcher jar only: on an application server the container's
 * own injection is left alone. Serves one running relay per JVM (it asks {@link CDI#current()}).
 */
public final class CdiComponentProvider extends org.glassfish.tyrus.core.ComponentProvider {

    /** The CDI handle of each live instance, to destroy it when its session ends. */
    private final Map<Object, Instance<?>> handles = new ConcurrentHashMap<>();

    @Override
    public boolean isApplicable(Class<?> type) {
        try {
            return CDI.current().select(type).isResolvable();
        } catch (IllegalStateException e) {
            return false; // no CDI container running
        }
    }

    @Override
    public <T> Object create(Class<T> type) {
        Instance<T> instance = CDI.current().select(type);
        T created = instance.get();
        handles.put(created, instance);
        return created;
    }

    @Override
    public boolean destroy(Object created) {
        @SuppressWarnings("unchecked")
        Instance<Object> instance = (Instance<Object>) handles.remove(created);
        if (instance == null) {
            return false;
        }
        instance.destroy(created);
        return true;
    }
}
