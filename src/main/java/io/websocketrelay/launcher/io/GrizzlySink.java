package io.websocketrelay.launcher.io;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.nio.NIOTransport;

/**
 * The connection's side of a {@link ConnectionWriter}: Grizzly's write queue, through the filter chain when TLS
 * must encrypt the bytes, otherwise straight into the queue.
 */
final class GrizzlySink implements ConnectionWriter.Sink {

    private final Connection<SocketAddress> connection;
    private final MemoryManager<?> memory;
    private final AsyncQueueWriter<SocketAddress> queue;

    @SuppressWarnings("unchecked") // Grizzly's TCP connections are addressed by SocketAddress
    GrizzlySink(Connection<?> connection, boolean chain) {
        this.connection = (Connection<SocketAddress>) connection;
        this.memory = connection.getMemoryManager();
        this.queue = chain ? null : ((NIOTransport) connection.getTransport()).getAsyncQueueIO().getWriter();
    }

    @Override
    public void write(ByteBuffer bytes, Consumer<Throwable> done) {
        Buffer buffer = Buffers.wrap(memory, bytes);
        if (queue != null) {
            queue.write(connection, buffer, new Completion<>(done));
        } else {
            connection.write(buffer, new Completion<>(done));
        }
    }

    @Override
    public void close() {
        connection.closeSilently();
    }

    /** Reports a write's end to a {@link ConnectionWriter}. */
    private static final class Completion<M> extends EmptyCompletionHandler<WriteResult<M, SocketAddress>> {

        private final Consumer<Throwable> done;

        Completion(Consumer<Throwable> done) {
            this.done = done;
        }

        @Override
        public void completed(WriteResult<M, SocketAddress> result) {
            done.accept(null);
        }

        @Override
        public void failed(Throwable failure) {
            done.accept(failure);
        }
    }
}
