package io.websocketrelay.launcher;

import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Lets Tyrus take endpoint instances from the launcher's Weld container, so that {@code @Inject} works in the
 * standalone relay as it does on an application server.
 *
 * <p>Registered through {@code META-INF/services} of the launcher jar only: on an application server the container's
 * own injection is left alone. Serves one running relay per JVM (it asks {@link CDI#current()}).
 */
public final class CdiComponentProvider extends org.glassfish.tyrus.core.ComponentProvider {

    /**
     * The creational context of each live instance, released when Tyrus destroys it. Weak: Tyrus makes an instance
     * for an error that comes after its session was removed and never destroys that one.
     */
    private final Map<Object, CreationalContext<?>> contexts = Collections.synchronizedMap(new WeakHashMap<>());

    @Override
    public boolean isApplicable(Class<?> type) {
        try {
            BeanManager beans = CDI.current().getBeanManager();
            return !beans.getBeans(type).isEmpty();
        } catch (IllegalStateException e) {
            return false; // no CDI container running
        }
    }

    @Override
    public <T> Object create(Class<T> type) {
        BeanManager beans = CDI.current().getBeanManager();
        Bean<?> bean = beans.resolve(beans.getBeans(type));
        CreationalContext<?> context = beans.createCreationalContext(bean);
        Object created = beans.getReference(bean, type, context);
        contexts.put(created, context);
        return created;
    }

    @Override
    public boolean destroy(Object created) {
        CreationalContext<?> context = contexts.remove(created);
        if (context == null) {
            return false;
        }
        context.release();
        return true;
    }
}
