// Unit tests of src/main/webapp/relay-client.js under Node, with a fake WebSocket and mocked timers.
//   node --test relay-client.test.mjs      (run by BrowserIT in mvn -B verify)
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, connect, pagePrefix, parseControl, relayUrl } from '../../main/webapp/relay-client.js';

class FakeSocket {
    static all = [];

    constructor(url) {
        this.url = url;
        this.readyState = 0;
        this.sent = [];
        this.closedWith = null;
        FakeSocket.all.push(this);
    }

    send(data) {
        this.sent.push(data);
    }

    close(code) {
        this.closedWith = code;
        this.readyState = 3;
    }

    open() {
        this.readyState = 1;
        this.onopen({});
    }

    receive(data) {
        this.onmessage({ data });
    }

    drop(code = 1006, reason = '') {
        this.readyState = 3;
        this.onclose({ code, reason });
    }
}

/** A connected client on a fake socket, and the events it emitted as [type, detail]. */
function client(options = {}) {
    const events = [];
    const relay = connect('ws://relay/id', { WebSocket: FakeSocket, minDelay: 100, jitter: 0, ...options });
    for (const type of ['waiting', 'open', 'connected', 'close', 'error', 'message', 'socket-open', 'socket-close']) {
        relay.on(type, (detail) => events.push([type, detail]));
    }
    return { relay, events, socket: () => FakeSocket.all.at(-1) };
}

beforeEach(() => {
    FakeSocket.all = [];
    mock.timers.enable({ apis: ['setTimeout'] });
});

afterEach(() => {
    mock.timers.reset();
});

describe('parseControl', () => {
    test('the four status texts', () => {
        assert.deepEqual(parseControl('/status:waiting'), { type: 'waiting' });
        assert.deepEqual(parseControl('/remote:open'), { type: 'open' });
        assert.deepEqual(parseControl('/status:connected'), { type: 'connected' });
        assert.deepEqual(parseControl('/remote:close'), { type: 'close' });
    });

    test('errors keep colons in their detail', () => {
        assert.deepEqual(parseControl('/error:0001:The message was not received by anyone.:a:b'),
            { type: 'error', code: '0001', message: 'The message was not received by anyone.', detail: 'a:b' });
        assert.deepEqual(parseControl('/error:0002:The binary message was not received by anyone.:12 bytes'),
            { type: 'error', code: '0002', message: 'The binary message was not received by anyone.', detail: '12 bytes' });
    });

    test('anything else is data', () => {
        for (const text of ['hello', '/status:other', '/status:waiting ', '/error:', '/error:0001', '']) {
            assert.equal(parseControl(text), null, text);
        }
    });
});

describe('backoff', () => {
    test('grows by the factor up to the cap', () => {
        const none = { minDelay: 100, maxDelay: 1000, factor: 2, jitter: 0 };
        assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoff(n, none)), [100, 200, 400, 800, 1000, 1000]);
    });

    test('jitter draws from [(1 - jitter) * delay, delay]', () => {
        const half = { minDelay: 1000, jitter: 0.5 };
        assert.equal(backoff(0, half, () => 0), 500);
        assert.equal(backoff(0, half, () => 0.5), 750);
        assert.equal(backoff(0, half, () => 0.999999), 1000);
    });
});

describe('relayUrl', () => {
    test('follows the page: protocol, host and directory', () => {
        assert.equal(relayUrl('a b/c', { protocol: 'https:', host: 'h:8443', pathname: '/relay/' }),
            'wss://h:8443/relay/a%20b%2Fc');
        assert.equal(relayUrl('x', { protocol: 'http:', host: 'h', pathname: '/' }), 'ws://h/x');
        assert.equal(relayUrl('x', { protocol: 'http:', host: 'h', pathname: '/index.html' }), 'ws://h/x');
        assert.equal(relayUrl('x', { protocol: 'http:', host: 'h', pathname: '/' }, 'a&b'), 'ws://h/x?token=a%26b');
    });

    test('a scope without its trailing slash is a directory', () => {
        assert.equal(pagePrefix('/try'), '/try/');
        assert.equal(pagePrefix('/try/index.html'), '/try/');
        assert.equal(pagePrefix('/a/b/'), '/a/b/');
    });
});

describe('RelayClient', () => {
    test('turns control texts into events and passes data on', () => {
        const { relay, events, socket } = client();
        assert.equal(socket().url, 'ws://relay/id');
        assert.equal(relay.state, 'connecting');
        socket().open();
        socket().receive('/status:waiting');
        assert.equal(relay.state, 'waiting');
        socket().receive('/remote:open');
        socket().receive('/status:connected');
        assert.equal(relay.state, 'connected');
        socket().receive('hi');
        const bytes = new Uint8Array([1, 2, 3]).buffer;
        socket().receive(bytes);
        socket().receive('/remote:close');
        assert.equal(relay.state, 'waiting');
        socket().receive('/error:0001:The message was not received by anyone.:late');
        assert.deepEqual(events.map(([type]) => type),
            ['socket-open', 'waiting', 'open', 'connected', 'message', 'message', 'close', 'error']);
        assert.equal(events[4][1].data, 'hi');
        assert.equal(events[5][1].data, bytes);
        assert.deepEqual(events[7][1], { code: '0001', message: 'The message was not received by anyone.', detail: 'late' });
    });

    test('sends only on an open socket', () => {
        const { relay, socket } = client();
        assert.equal(relay.send('early'), false);
        socket().open();
        assert.equal(relay.send('now'), true);
        assert.deepEqual(socket().sent, ['now']);
    });

    test('reconnects with growing delays, reset once the relay answered', () => {
        const { relay, events, socket } = client();
        socket().open();
        socket().drop(1001, 'going away');
        assert.deepEqual(events.at(-1), ['socket-close', { code: 1001, reason: 'going away', retryIn: 100 }]);
        assert.equal(relay.state, 'retrying');
        mock.timers.tick(99);
        assert.equal(FakeSocket.all.length, 1);
        mock.timers.tick(1);
        assert.equal(FakeSocket.all.length, 2);
        socket().drop();
        assert.equal(events.at(-1)[1].retryIn, 200);
        mock.timers.tick(200);
        assert.equal(FakeSocket.all.length, 3);
        socket().open();
        socket().receive('/status:waiting');
        socket().drop();
        assert.equal(events.at(-1)[1].retryIn, 100);
    });

    test('close ends the socket and stops reconnecting', () => {
        const { relay, events, socket } = client();
        socket().open();
        const first = socket();
        relay.close();
        assert.equal(first.closedWith, 1000);
        assert.equal(relay.state, 'closed');
        first.drop(1000);
        mock.timers.tick(60_000);
        assert.equal(FakeSocket.all.length, 1);
        assert.equal(events.filter(([type]) => type === 'socket-close').length, 0);
    });

    test('without reconnect a lost socket stays closed', () => {
        const { relay, events, socket } = client({ reconnect: false });
        socket().drop(1008, 'receiver too slow');
        assert.equal(relay.state, 'closed');
        assert.equal(events.at(-1)[1].retryIn, null);
        mock.timers.tick(60_000);
        assert.equal(FakeSocket.all.length, 1);
    });
});
