// Unit tests of src/main/webapp/relay-client.js under Node, with a fake WebSocket and mocked timers.
//   node --test relay-client.test.mjs      (run by BrowserIT in mvn -B verify)
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    backoff, connect, joinRoom, pagePrefix, parseControl, parseRoomControl, relayUrl, roomUrl,
} from '../../main/webapp/relay-client.js';

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

const ROOM_EVENTS = ['joined', 'member-open', 'member-close', 'error', 'message', 'state', 'socket-open', 'socket-close'];

/** A room client on a fake socket, and the events it emitted as [type, detail]. */
function member(options = {}) {
    const events = [];
    const room = joinRoom('ws://relay/room/r', { WebSocket: FakeSocket, minDelay: 100, jitter: 0, ...options });
    for (const type of ROOM_EVENTS) {
        room.on(type, (detail) => events.push([type, detail]));
    }
    return { room, events, socket: () => FakeSocket.all.at(-1) };
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

    test('roomUrl puts room/ and the encoded room id after the page directory', () => {
        assert.equal(roomUrl('a b/c', { protocol: 'https:', host: 'h:8443', pathname: '/try' }, 't=1'),
            'wss://h:8443/try/room/a%20b%2Fc?token=t%3D1');
        assert.equal(roomUrl('x', { protocol: 'http:', host: 'h', pathname: '/index.html' }), 'ws://h/room/x');
    });
});

describe('parseRoomControl', () => {
    test('joined: your id and the others in join order, none when alone', () => {
        assert.deepEqual(parseRoomControl('/room:joined:k3J9xQ2aLmA:'), { type: 'joined', you: 'k3J9xQ2aLmA', members: [] });
        assert.deepEqual(parseRoomControl('/room:joined:me:a,b-c,d_e'),
            { type: 'joined', you: 'me', members: ['a', 'b-c', 'd_e'] });
    });

    test('members coming and going, direct texts with colons or empty, errors', () => {
        assert.deepEqual(parseRoomControl('/member:open:a1'), { type: 'member-open', id: 'a1' });
        assert.deepEqual(parseRoomControl('/member:close:a1'), { type: 'member-close', id: 'a1' });
        assert.deepEqual(parseRoomControl('/from:s1:a:b:'), { type: 'from', from: 's1', data: 'a:b:' });
        assert.deepEqual(parseRoomControl('/from:s1:'), { type: 'from', from: 's1', data: '' });
        assert.deepEqual(parseRoomControl('/error:0003:No such member in the room.:/to:x:hi'),
            { type: 'error', code: '0003', message: 'No such member in the room.', detail: '/to:x:hi' });
    });

    test('anything else is a broadcast', () => {
        for (const text of ['hello', '/room:joined:', '/member:open:', '/from::x', '/from:s1', '/status:waiting', '']) {
            assert.equal(parseRoomControl(text), null, text);
        }
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

describe('RoomClient', () => {
    test('keeps the member list from joined, member-open and member-close', () => {
        const { room, events, socket } = member();
        assert.equal(socket().url, 'ws://relay/room/r');
        socket().open();
        socket().receive('/room:joined:me:a,b');
        assert.equal(room.state, 'joined');
        assert.equal(room.you, 'me');
        assert.deepEqual(room.members, ['a', 'b']);
        socket().receive('/member:open:c');
        assert.deepEqual(room.members, ['a', 'b', 'c']);
        socket().receive('/member:close:a');
        assert.deepEqual(room.members, ['b', 'c']);
        assert.deepEqual(events.filter(([type]) => type !== 'state'), [
            ['socket-open', {}], ['joined', { you: 'me', members: ['a', 'b'] }],
            ['member-open', { id: 'c' }], ['member-close', { id: 'a' }]]);
    });

    test('broadcasts come without a sender, direct texts with one, errors as errors', () => {
        const { events, socket } = member();
        socket().open();
        socket().receive('/room:joined:me:');
        socket().receive('hi all');
        const bytes = new Uint8Array([1, 2]).buffer;
        socket().receive(bytes);
        socket().receive('/from:a:just: you');
        socket().receive('/error:0001:The message was not received by anyone.:hi');
        const seen = events.filter(([type]) => type === 'message' || type === 'error');
        assert.deepEqual(seen, [['message', { data: 'hi all', from: null }], ['message', { data: bytes, from: null }],
            ['message', { data: 'just: you', from: 'a' }],
            ['error', { code: '0001', message: 'The message was not received by anyone.', detail: 'hi' }]]);
    });

    test('send broadcasts unchanged, sendTo sends /to:<id>:<text>', () => {
        const { room, socket } = member();
        assert.equal(room.sendTo('a', 'early'), false);
        socket().open();
        const bytes = new Uint8Array([7]);
        assert.equal(room.send('hello'), true);
        assert.equal(room.send(bytes), true);
        assert.equal(room.sendTo('a', 'x:y'), true);
        assert.equal(room.sendTo('a', ''), true);
        assert.deepEqual(socket().sent, ['hello', bytes, '/to:a:x:y', '/to:a:']);
        assert.throws(() => room.sendTo('a:b', 'x'), TypeError);
        assert.throws(() => room.sendTo('', 'x'), TypeError);
        assert.throws(() => room.sendTo('a', bytes), TypeError);
        assert.equal(socket().sent.length, 4);
    });

    test('a lost socket empties the list; the reconnect joins with a new id and resets the back-off', () => {
        const { room, events, socket } = member();
        socket().open();
        socket().receive('/room:joined:first:a');
        socket().drop(1013, 'room full');
        assert.equal(room.you, null);
        assert.deepEqual(room.members, []);
        assert.equal(room.state, 'retrying');
        assert.deepEqual(events.at(-1), ['socket-close', { code: 1013, reason: 'room full', retryIn: 100 }]);
        mock.timers.tick(100);
        socket().drop();
        assert.equal(events.at(-1)[1].retryIn, 200);
        mock.timers.tick(200);
        assert.equal(FakeSocket.all.length, 3);
        socket().open();
        socket().receive('/room:joined:second:a,b');
        assert.equal(room.you, 'second');
        assert.deepEqual(room.members, ['a', 'b']);
        socket().drop();
        assert.equal(events.at(-1)[1].retryIn, 100);
    });

    test('close leaves the room for good', () => {
        const { room, socket } = member();
        socket().open();
        socket().receive('/room:joined:me:a');
        const first = socket();
        room.close();
        assert.equal(first.closedWith, 1000);
        assert.equal(room.state, 'closed');
        assert.deepEqual(room.members, []);
        mock.timers.tick(60_000);
        assert.equal(FakeSocket.all.length, 1);
    });
});
