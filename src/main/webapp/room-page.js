// The page's room mode: a group chat with a member list, direct texts to one member, and files to everyone.
import { RoomClient, roomUrl } from './relay-client.js';
import { $, downloadLink, log, showState, withoutToken } from './page-ui.js';

const ui = { state: $('state'), members: $('members'), count: $('member-count'), to: $('to') };

/** The room client while in a room, else null. */
let room = null;

/** Joins room id (leaving the current one), with the page's token if any. */
export function enterRoom(id, token) {
    leaveRoom();
    const url = roomUrl(id, location, token);
    log('info', `joining room ${id} at ${withoutToken(url)}`);
    room = new RoomClient(url);
    room.on('state', ({ state }) => showState(ui.state, state));
    room.on('joined', ({ you, members }) => {
        const others = members.length === 1 ? '1 other member' : `${members.length} other members`;
        log('control', `joined as ${you}; ${others} here (/room:joined)`);
        render();
    });
    room.on('member-open', ({ id: mid }) => {
        log('control', `${mid} joined (/member:open)`, { data: { member: mid } });
        render();
    });
    room.on('member-close', ({ id: mid }) => {
        log('control', `${mid} left (/member:close)`, { data: { member: mid } });
        render();
    });
    room.on('message', ({ data, from }) => received(data, from));
    room.on('error', ({ code, message, detail }) => log('error', `${code}: ${message} ${detail}`));
    room.on('socket-close', ({ code, reason, retryIn }) => {
        const why = code === 1009 ? ' (a message over the relay\'s size limit)' : reason ? ` (${reason})` : '';
        const next = retryIn === null ? '' : `; rejoining in ${(retryIn / 1000).toFixed(1)} s as a new member`;
        log('info', `connection closed, code ${code}${why}${next}`);
        render();
    });
    room.connect();
    render();
}

/** Leaves the room, if in one. @returns {boolean} whether it was in one */
export function leaveRoom() {
    if (!room) {
        return false;
    }
    room.close();
    room = null;
    render();
    return true;
}

/** Sends a text to the member chosen in the To list, or to everyone. */
export function sendRoomText(text) {
    const to = ui.to.value;
    if (!room) {
        log('error', `not sent (not in a room): ${text}`);
    } else if (to) {
        report(room.sendTo(to, text), text, { path: 'direct', who: `you to ${to}`, data: { to } });
    } else if (text.startsWith('/to:')) {
        log('error', 'a text beginning with /to: is a direct message on the wire: choose the member in To instead');
    } else {
        report(room.send(text), text, { path: 'all', who: 'you' });
    }
}

/** Sends a file's bytes to everyone (binary messages cannot be sent to one member). */
export function sendRoomFile(buffer, description) {
    if (!room) {
        log('error', `not sent (not in a room): ${description}`);
        return;
    }
    const note = ui.to.value ? ' (files go to everyone)' : '';
    report(room.send(buffer), `${description}${note}`, { path: 'all', who: 'you' });
}

function report(sent, text, options) {
    if (sent) {
        log('out', text, options);
    } else {
        log('error', `not sent (not joined): ${text}`);
    }
}

function received(data, from) {
    const who = from ? `${from} to you` : 'a member';
    const path = from ? 'direct' : 'all';
    const extra = from ? { from } : {};
    if (typeof data === 'string') {
        log('in', data, { path, who, data: extra });
    } else {
        const node = downloadLink(data, `from-room-${Date.now()}.bin`);
        log('in', `${data.byteLength} bytes`, { path, who, node, data: extra });
    }
}

/** Shows the member list (you first) and the To choices as the room client knows them. */
function render() {
    const you = room?.you ?? null;
    const members = room?.members ?? [];
    ui.count.textContent = you ? String(members.length + 1) : '0';
    const mine = [];
    if (you) {
        const item = document.createElement('li');
        item.className = 'you';
        item.dataset.member = you;
        item.textContent = `${you} (you)`;
        mine.push(item);
    }
    ui.members.replaceChildren(...mine, ...members.map((mid) => {
        const item = document.createElement('li');
        item.dataset.member = mid;
        const pick = document.createElement('button');
        pick.type = 'button';
        pick.textContent = mid;
        pick.title = `send texts to ${mid} only`;
        pick.addEventListener('click', () => {
            ui.to.value = mid;
            $('text').focus();
        });
        item.append(pick);
        return item;
    }));
    const chosen = ui.to.value;
    ui.to.replaceChildren(new Option('everyone', ''), ...members.map((mid) => new Option(mid, mid)));
    if (chosen && members.includes(chosen)) {
        ui.to.value = chosen;
    } else if (chosen) {
        log('info', `${chosen} is no longer here: texts go to everyone`);
    }
}
