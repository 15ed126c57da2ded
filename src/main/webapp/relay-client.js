// relay-client.js: a small, dependency-free client for websocket-relay (an ES module).
//
//   import { connect, relayUrl } from './relay-client.js';
//   const relay = connect(relayUrl('my-secret-id'));
//   relay.addEventListener('connected', () => relay.send('hello'));
//   relay.addEventListener('message', (e) => console.log(e.detail.data)); // string or ArrayBuffer
//
// Events (CustomEvent; the payload is in event.detail):
//   waiting      /status:waiting    alone on the id
//   open         /remote:open       a peer joined you (you waited; you make a WebRTC offer, if any)
//   connected    /status:connected  paired: what you send goes to the peer
//   close        /remote:close      the peer left; the relay re-matches you at once
//   error        /error:<code>:<message>:<detail>  detail {code, message, detail}
//   message      data from the peer: detail {data} (a string or an ArrayBuffer)
//   state        detail {state}: idle, connecting, waiting, connected, retrying, closed
//   socket-open  the WebSocket opened
//   socket-close detail {code, reason, retryIn}: retryIn is the delay in ms before reconnecting, or null
//
// Caveat of the wire protocol: a peer's text that equals a control message cannot be told apart from it.

/** The relay's control texts. */
export const CONTROL = Object.freeze({
    waiting: '/status:waiting',
    open: '/remote:open',
    connected: '/status:connected',
    close: '/remote:close',
});

const ERROR_PREFIX = '/error:';
const CONTROL_BY_TEXT = new Map(Object.entries(CONTROL).map(([type, text]) => [text, type]));

/**
 * Reads a text from the relay as a control message.
 * @param {string} text
 * @returns {{type: string, code?: string, message?: string, detail?: string} | null} null for peer data
 */
export function parseControl(text) {
    const type = CONTROL_BY_TEXT.get(text);
    if (type) {
        return { type };
    }
    if (text.startsWith(ERROR_PREFIX)) {
        const rest = text.slice(ERROR_PREFIX.length);
        const codeEnd = rest.indexOf(':');
        const messageEnd = codeEnd < 0 ? -1 : rest.indexOf(':', codeEnd + 1);
        if (codeEnd > 0 && messageEnd > codeEnd) {
            return {
                type: 'error',
                code: rest.slice(0, codeEnd),
                message: rest.slice(codeEnd + 1, messageEnd),
                detail: rest.slice(messageEnd + 1),
            };
        }
    }
    return null;
}

/**
 * The delay before reconnect attempt number {@code attempt} (0 for the first): exponential, capped, with jitter.
 * The un-jittered delay is min(maxDelay, minDelay * factor^attempt); jitter j in [0, 1] draws the delay uniformly
 * from [(1 - j) * delay, delay], so that many clients cut off at once do not come back at once.
 */
export function backoff(attempt, options = {}, random = Math.random) {
    const { minDelay = 500, maxDelay = 30000, factor = 2, jitter = 0.5 } = options;
    const delay = Math.min(maxDelay, minDelay * Math.pow(factor, Math.max(0, attempt)));
    return Math.round(delay * (1 - jitter + jitter * random()));
}

/**
 * The relay URL for an id, seen from a page served by the relay: same host, ws: or wss: after the page's protocol,
 * and the page's directory as prefix, so that it also works under a scope or a WAR's context root.
 * @param {string} id
 * @param {{protocol: string, host: string, pathname: string}} [where] defaults to the page's location
 * @param {string} [token] for a relay that wants one, sent as ?token=
 */
export function relayUrl(id, where = globalThis.location, token = '') {
    const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    return `${scheme}//${where.host}${pagePrefix(where.pathname)}${encodeURIComponent(id)}${query}`;
}

/** The directory of a page path: "/" for "/" and "/index.html", "/scope/" for "/scope/", "/scope" and "/scope/x.html". */
export function pagePrefix(pathname) {
    const slash = pathname.lastIndexOf('/');
    const last = pathname.slice(slash + 1);
    return last === '' || last.includes('.') ? pathname.slice(0, slash + 1) : `${pathname}/`;
}

/** A connection to the relay on one id, reconnecting with back-off until {@link RelayClient#close}. */
export class RelayClient extends EventTarget {
    /**
     * @param {string} url ws: or wss: URL ending with the id
     * @param {object} [options] reconnect (default true), minDelay, maxDelay, factor, jitter (see backoff),
     *     WebSocket (the constructor to use, default the global one)
     */
    constructor(url, options = {}) {
        super();
        this.url = url;
        this.options = { reconnect: true, ...options };
        this.state = 'idle';
        this.attempt = 0;
        this.socket = null;
        this.timer = null;
        this.closing = false;
    }

    /** Opens the connection (again, after close). @returns {RelayClient} this */
    connect() {
        this.closing = false;
        this.attempt = 0;
        this.#open();
        return this;
    }

    /**
     * Sends text or binary data (string, ArrayBuffer, typed array, Blob) to the peer.
     * @returns {boolean} false when the socket is not open (nothing sent)
     */
    send(data) {
        if (!this.socket || this.socket.readyState !== 1) {
            return false;
        }
        this.socket.send(data);
        return true;
    }

    /** Closes the connection and stops reconnecting. */
    close(code = 1000, reason = '') {
        this.closing = true;
        clearTimeout(this.timer);
        this.timer = null;
        const socket = this.socket;
        this.socket = null;
        if (socket && socket.readyState < 2) {
            socket.close(code, reason);
        }
        this.#setState('closed');
    }

    /** addEventListener that hands the listener event.detail; returns a function that removes it. */
    on(type, listener) {
        const wrapped = (event) => listener(event.detail ?? {}, event);
        this.addEventListener(type, wrapped);
        return () => this.removeEventListener(type, wrapped);
    }

    #open() {
        clearTimeout(this.timer);
        this.timer = null;
        const Socket = this.options.WebSocket ?? globalThis.WebSocket;
        const socket = new Socket(this.url);
        socket.binaryType = 'arraybuffer';
        this.socket = socket;
        this.#setState('connecting');
        socket.onopen = () => {
            if (this.socket === socket) {
                this.#emit('socket-open', {});
            }
        };
        socket.onmessage = (event) => {
            if (this.socket === socket) {
                this.#receive(event.data);
            }
        };
        socket.onclose = (event) => {
            if (this.socket === socket) {
                this.#lost(event.code, event.reason);
            }
        };
    }

    #receive(data) {
        const control = typeof data === 'string' ? parseControl(data) : null;
        if (!control) {
            this.#emit('message', { data });
            return;
        }
        if (control.type === 'waiting' || control.type === 'connected') {
            this.attempt = 0;
            this.#setState(control.type);
        } else if (control.type === 'close') {
            this.#setState('waiting');
        }
        const { type, ...detail } = control;
        this.#emit(type, detail);
    }

    #lost(code, reason) {
        this.socket = null;
        const retryIn = this.closing || !this.options.reconnect ? null : backoff(this.attempt++, this.options);
        this.#setState(retryIn === null ? 'closed' : 'retrying');
        this.#emit('socket-close', { code, reason, retryIn });
        if (retryIn !== null && !this.closing) {
            this.timer = setTimeout(() => this.#open(), retryIn);
        }
    }

    #setState(state) {
        if (this.state !== state) {
            this.state = state;
            this.#emit('state', { state });
        }
    }

    #emit(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }
}

/** Creates a {@link RelayClient} and connects it. */
export function connect(url, options) {
    return new RelayClient(url, options).connect();
}
