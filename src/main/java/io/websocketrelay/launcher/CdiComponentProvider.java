package io.websocketrelay.launcher;

import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets Tyrus take endpoint instances from the launcher's Weld container, so that {@code @Inject} works in the
 * standalone relay as it does on an application server.
 *
 * <p>Registered through {@code META-INF/services} of the launcher jar only: on an application server the container's
 * own injection is left alone. Serves one running relay per JVM (it asks {@link CDI#current()}).
 *
 * <p>Tyrus asks {@link #isApplicable} and then {@link #create} for every connection; the bean of each endpoint class
 * is resolved once per container and kept, so a handshake costs one {@link BeanManager#getReference} and no bean
 * resolution.
 */
public final class CdiComponentProvider extends org.glassfish.tyrus.core.ComponentProvider {

    /**
     * The creational context of each live instance, released when Tyrus destroys it. Weak: Tyrus makes an instance
     * for an error that comes after its session was removed and never destroys that one.
     */
    private final Map<Object, CreationalContext<?>> contexts = Collections.synchronizedMap(new WeakHashMap<>());

    /** The beans resolved in the container that was current when they were asked for; replaced with the container. */
    private volatile Resolved resolved;

    @Override
    public boolean isApplicable(Class<?> type) {
        try {
            return resolved().bean(type).isPresent();
        } catch (IllegalStateException e) {
            return false; // no CDI container running
        }
    }

    @Override
    public <T> Object create(Class<T> type) {
        Resolved current = resolved();
        Bean<?> bean = current.bean(type).orElseThrow(() -> new IllegalStateException("no bean for " + type.getName()));
        CreationalContext<?> context = current.beans.createCreationalContext(bean);
        Object created = current.beans.getReference(bean, type, context);
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

    /** @throws IllegalStateException when no container is running */
    private Resolved resolved() {
        CDI<Object> cdi = CDI.current();
        Resolved known = resolved;
        if (known == null || known.cdi != cdi) {
            known = new Resolved(cdi, cdi.getBeanManager());
            resolved = known;
        }
        return known;
    }

    /** One container's bean manager and the bean of each type asked for (empty when it has none). */
    private static final class Resolved {

        final CDI<Object> cdi;
        final BeanManager beans;
        private final Map<Class<?>, Optional<Bean<?>>> byType = new ConcurrentHashMap<>();

        Resolved(CDI<Object> cdi, BeanManager beans) {
            this.cdi = cdi;
            this.beans = beans;
        }

        Optional<Bean<?>> bean(Class<?> type) {
            return byType.computeIfAbsent(type, key -> {
                var found = beans.getBeans(key);
                return found.isEmpty() ? Optional.empty() : Optional.of(beans.resolve(found));
            });
        }
    }
}
