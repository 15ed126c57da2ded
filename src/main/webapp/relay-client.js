// relay-client.js: a small, dependency-free client for websocket-relay (an ES module).
//
//   import { connect, joinRoom, relayUrl, roomUrl } from './relay-client.js';
//   const relay = connect(relayUrl('my-secret-id'));                 // a pair
//   relay.on('connected', () => relay.send('hello'));
//   relay.on('message', ({ data }) => console.log(data));            // string or ArrayBuffer
//   const room = joinRoom(roomUrl('my-room'));                       // a room
//   room.on('joined', ({ you, members }) => room.send(`hello from ${you} to ${members.length}`));
//   room.on('message', ({ data, from }) => console.log(from ?? 'broadcast', data));
//
// Pair events (CustomEvent; the payload is in event.detail):
//   waiting      /status:waiting    alone on the id
//   open         /remote:open       a peer joined you (you waited; you make a WebRTC offer, if any)
//   connected    /status:connected  paired: what you send goes to the peer
//   close        /remote:close      the peer left; the relay re-matches you at once
//   message      data from the peer: detail {data} (a string or an ArrayBuffer)
//   state        detail {state}: idle, connecting, waiting, connected, retrying, closed
// Room events:
//   joined       /room:joined:<you>:<others>  detail {you, members}: your id and the others' ids in join order
//   member-open  /member:open:<id>   detail {id}
//   member-close /member:close:<id>  detail {id}
//   message      detail {data, from}: from is the sender's id for a direct text (/from:<id>:<text>), null for a
//                broadcast (the wire does not say who broadcast)
//   state        detail {state}: idle, connecting, joined, retrying, closed
// Both:
//   error        /error:<code>:<message>:<detail>  detail {code, message, detail}
//   socket-open  the WebSocket opened
//   socket-close detail {code, reason, retryIn}: retryIn is the delay in ms before reconnecting, or null
//
// Caveat of the pair protocol: a peer's text that equals a control message cannot be told apart from it. In a room
// it can: the relay refuses broadcast texts that begin with a reserved prefix.

/** The relay's control texts of a pair. */
export const CONTROL = Object.freeze({
    waiting: '/status:waiting',
    open: '/remote:open',
    connected: '/status:connected',
    close: '/remote:close',
});

const ERROR_PREFIX = '/error:';
const CONTROL_BY_TEXT = new Map(Object.entries(CONTROL).map(([type, text]) => [text, type]));
const JOINED = '/room:joined:';
const MEMBER_OPEN = '/member:open:';
const MEMBER_CLOSE = '/member:close:';
const FROM = '/from:';
const TO = '/to:';

/** An /error:<code>:<message>:<detail> text as {type: 'error', code, message, detail}, else null. */
function parseError(text) {
    if (!text.startsWith(ERROR_PREFIX)) {
        return null;
    }
    const rest = text.slice(ERROR_PREFIX.length);
    const codeEnd = rest.indexOf(':');
    const messageEnd = codeEnd < 0 ? -1 : rest.indexOf(':', codeEnd + 1);
    if (codeEnd <= 0 || messageEnd <= codeEnd) {
        return null;
    }
    return { type: 'error', code: rest.slice(0, codeEnd), message: rest.slice(codeEnd + 1, messageEnd),
        detail: rest.slice(messageEnd + 1) };
}

/**
 * Reads a text from the relay as a control message of a pair.
 * @param {string} text
 * @returns {{type: string, code?: string, message?: string, detail?: string} | null} null for peer data
 */
export function parseControl(text) {
    const type = CONTROL_BY_TEXT.get(text);
    return type ? { type } : parseError(text);
}

/** The text after prefix split at its first colon as [before, after] (before not empty), else null. */
function splitAfter(text, prefix) {
    if (!text.startsWith(prefix)) {
        return null;
    }
    const rest = text.slice(prefix.length);
    const colon = rest.indexOf(':');
    return colon > 0 ? [rest.slice(0, colon), rest.slice(colon + 1)] : null;
}

/**
 * Reads a text from the relay as a control message of a room.
 * @param {string} text
 * @returns {object | null} {type: 'joined', you, members}, {type: 'member-open' | 'member-close', id},
 *     {type: 'from', from, data}, {type: 'error', code, message, detail}, or null for a broadcast text
 */
export function parseRoomControl(text) {
    const joined = splitAfter(text, JOINED);
    if (joined) {
        return { type: 'joined', you: joined[0], members: joined[1].split(',').filter(Boolean) };
    }
    for (const [prefix, type] of [[MEMBER_OPEN, 'member-open'], [MEMBER_CLOSE, 'member-close']]) {
        if (text.startsWith(prefix) && text.length > prefix.length) {
            return { type, id: text.slice(prefix.length) };
        }
    }
    const direct = splitAfter(text, FROM);
    return direct ? { type: 'from', from: direct[0], data: direct[1] } : parseError(text);
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

function socketUrl(path, where, token) {
    const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    return `${scheme}//${where.host}${pagePrefix(where.pathname)}${path}${query}`;
}

/**
 * The relay URL for an id, seen from a page served by the relay: same host, ws: or wss: after the page's protocol,
 * and the page's directory as prefix, so that it also works under a scope or a WAR's context root.
 * @param {string} id
 * @param {{protocol: string, host: string, pathname: string}} [where] defaults to the page's location
 * @param {string} [token] for a relay that wants one, sent as ?token=
 */
export function relayUrl(id, where = globalThis.location, token = '') {
    return socketUrl(encodeURIComponent(id), where, token);
}

/** The URL of room roomId, {@code <page directory>room/<roomId>}; the arguments as for {@link relayUrl}. */
export function roomUrl(roomId, where = globalThis.location, token = '') {
    return socketUrl(`room/${encodeURIComponent(roomId)}`, where, token);
}

/** The directory of a page path: "/" for "/" and "/index.html", "/scope/" for "/scope/", "/scope" and "/scope/x.html". */
export function pagePrefix(pathname) {
    const slash = pathname.lastIndexOf('/');
    const last = pathname.slice(slash + 1);
    return last === '' || last.includes('.') ? pathname.slice(0, slash + 1) : `${pathname}/`;
}

/**
 * A WebSocket to the relay, reconnecting with back-off until {@link Connection#close}: what pair and room clients
 * share. Subclasses read the relay's messages in {@code _receive(data)}, call {@code _answered(state)} when the relay
 * answered (which resets the back-off), and forget per-socket state in {@code _ended()}.
 */
export class Connection extends EventTarget {
    /**
     * @param {string} url ws: or wss: URL
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

    /** Opens the connection (again, after close). @returns {this} */
    connect() {
        this.closing = false;
        this.attempt = 0;
        this.#open();
        return this;
    }

    /**
     * Sends text or binary data (string, ArrayBuffer, typed array, Blob) unchanged.
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
        this._ended();
        this._setState('closed');
    }

    /** addEventListener that hands the listener event.detail; returns a function that removes it. */
    on(type, listener) {
        const wrapped = (event) => listener(event.detail ?? {}, event);
        this.addEventListener(type, wrapped);
        return () => this.removeEventListener(type, wrapped);
    }

    _receive(data) {
        this._emit('message', { data });
    }

    _answered(state) {
        this.attempt = 0;
        this._setState(state);
    }

    _ended() {
    }

    _setState(state) {
        if (this.state !== state) {
            this.state = state;
            this._emit('state', { state });
        }
    }

    _emit(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }

    #open() {
        clearTimeout(this.timer);
        this.timer = null;
        const Socket = this.options.WebSocket ?? globalThis.WebSocket;
        const socket = new Socket(this.url);
        socket.binaryType = 'arraybuffer';
        this.socket = socket;
        this._setState('connecting');
        socket.onopen = () => {
            if (this.socket === socket) {
                this._emit('socket-open', {});
            }
        };
        socket.onmessage = (event) => {
            if (this.socket === socket) {
                this._receive(event.data);
            }
        };
        socket.onclose = (event) => {
            if (this.socket === socket) {
                this.#lost(event.code, event.reason);
            }
        };
    }

    #lost(code, reason) {
        this.socket = null;
        this._ended();
        const retryIn = this.closing || !this.options.reconnect ? null : backoff(this.attempt++, this.options);
        this._setState(retryIn === null ? 'closed' : 'retrying');
        this._emit('socket-close', { code, reason, retryIn });
        if (retryIn !== null && !this.closing) {
            this.timer = setTimeout(() => this.#open(), retryIn);
        }
    }
}

/** A connection to the relay on one pair id. */
export class RelayClient extends Connection {
    _receive(data) {
        const control = typeof data === 'string' ? parseControl(data) : null;
        if (!control) {
            this._emit('message', { data });
            return;
        }
        if (control.type === 'waiting' || control.type === 'connected') {
            this._answered(control.type);
        } else if (control.type === 'close') {
            this._setState('waiting');
        }
        const { type, ...detail } = control;
        this._emit(type, detail);
    }
}

/**
 * A member of a room. {@link #you} is this member's id and {@link #members} the other members' ids in join order,
 * both kept from the relay's control messages; they are empty while not joined. A reconnect joins as a new member
 * with a new id.
 */
export class RoomClient extends Connection {
    constructor(url, options) {
        super(url, options);
        this.you = null;
        this.members = [];
    }

    /**
     * Sends a text to one member only, who receives it as a message with {@code from} set to your id.
     * @returns {boolean} false when the socket is not open (nothing sent)
     */
    sendTo(mid, text) {
        if (typeof mid !== 'string' || mid === '' || mid.includes(':')) {
            throw new TypeError(`not a member id: ${mid}`);
        }
        if (typeof text !== 'string') {
            throw new TypeError('sendTo sends a text; binary data can only be broadcast');
        }
        return this.send(`${TO}${mid}:${text}`);
    }

    _receive(data) {
        const control = typeof data === 'string' ? parseRoomControl(data) : null;
        if (!control) {
            this._emit('message', { data, from: null });
        } else if (control.type === 'from') {
            this._emit('message', { data: control.data, from: control.from });
        } else if (control.type === 'joined') {
            this.you = control.you;
            this.members = control.members;
            this._answered('joined');
            this._emit('joined', { you: this.you, members: [...this.members] });
        } else if (control.type === 'member-open') {
            this.members = this.members.includes(control.id) ? this.members : [...this.members, control.id];
            this._emit('member-open', { id: control.id });
        } else if (control.type === 'member-close') {
            this.members = this.members.filter((id) => id !== control.id);
            this._emit('member-close', { id: control.id });
        } else {
            const { type, ...detail } = control;
            this._emit(type, detail);
        }
    }

    _ended() {
        this.you = null;
        this.members = [];
    }
}

/** Creates a {@link RelayClient} and connects it. */
export function connect(url, options) {
    return new RelayClient(url, options).connect();
}

/** Creates a {@link RoomClient} and connects it: joins the room at url (see {@link roomUrl}). */
export function joinRoom(url, options) {
    return new RoomClient(url, options).connect();
}
