// The try-it page: relay chat and files, and a WebRTC data channel signalled through the relay; or a room
// (room-page.js).
import { RelayClient, relayUrl } from './relay-client.js';
import { $, downloadLink, log, newId, showState, withoutToken } from './page-ui.js';
import { enterRoom, leaveRoom, sendRoomFile, sendRoomText } from './room-page.js';
const ui = {
    id: $('relay-id'), generate: $('generate'), connectForm: $('connect-form'), disconnect: $('disconnect'),
    state: $('state'), rtcState: $('rtc-state'), share: $('share'), copy: $('copy'), shareOpen: $('share-open'),
    rtcMode: $('mode-webrtc'), ice: $('ice'), log: $('log'), sendForm: $('send-form'), text: $('text'),
    file: $('file'), sendFile: $('send-file'), roomKind: $('kind-room'),
};

const SIGNALS = new Set(['ready', 'offer', 'answer', 'candidate']);

let client = null;
/** The peer connection of the current pairing: {pc, channel, pending} or null. */
let rtc = null;
/** This side received /remote:open for the current pairing, so it makes the offer. */
let offerer = false;
/** The peer said it is in WebRTC mode. */
let peerReady = false;

/** ICE servers from the field: empty, a JSON RTCIceServer or list of them, or URLs separated by commas or spaces. */
function iceServers() {
    const value = ui.ice.value.trim();
    if (!value) {
        return [];
    }
    if (value.startsWith('[') || value.startsWith('{')) {
        try {
            const parsed = JSON.parse(value);
            return Array.isArray(parsed) ? parsed : [parsed];
        } catch (e) {
            log('error', `ICE servers: not JSON (${e.message}); using none`);
            return [];
        }
    }
    return [{ urls: value.split(/[\s,]+/).filter(Boolean) }];
}

/** A relay that wants a token gets the page's ?token= (the share link carries it too). */
const token = new URLSearchParams(location.search).get('token') ?? '';

function shareUrl(id) {
    const query = new URLSearchParams();
    const ice = ui.ice.value.trim();
    if (ice) {
        query.set('ice', ice);
    }
    if (token) {
        query.set('token', token);
    }
    if (inRoomMode()) {
        query.set('kind', 'room');
    }
    const search = query.toString() ? `?${query}` : '';
    return `${location.origin}${location.pathname}${search}#${encodeURIComponent(id)}`;
}

function inRoomMode() {
    return ui.roomKind.checked;
}

function connect() {
    const id = ui.id.value.trim();
    if (!id) {
        return;
    }
    disconnect();
    ui.share.value = shareUrl(id);
    history.replaceState(null, '', ui.share.value);
    ui.shareOpen.href = ui.share.value;
    ui.shareOpen.hidden = false;
    ui.copy.disabled = false;
    ui.disconnect.disabled = false;
    if (inRoomMode()) {
        enterRoom(id, token);
        return;
    }
    const url = relayUrl(id, location, token);
    log('info', `connecting to ${withoutToken(url)}`);
    client = new RelayClient(url);
    client.on('state', ({ state }) => showState(ui.state, state));
    client.on('waiting', () => log('control', 'waiting for a peer (/status:waiting)'));
    client.on('open', () => {
        offerer = true;
        log('control', 'a peer joined (/remote:open): this side will make the WebRTC offer');
    });
    client.on('connected', () => {
        log('control', 'connected to a peer (/status:connected)');
        if (ui.rtcMode.checked) {
            signal({ rtc: 'ready' });
        }
    });
    client.on('close', () => {
        log('control', 'the peer left (/remote:close)');
        closeRtc();
        offerer = false;
        peerReady = false;
    });
    client.on('error', ({ code, message, detail }) => log('error', `${code}: ${message} ${detail}`));
    client.on('message', ({ data }) => received(data, 'relay'));
    client.on('socket-close', ({ code, reason, retryIn }) => {
        const why = code === 1009 ? ' (a message over the relay\'s size limit)' : reason ? ` (${reason})` : '';
        const next = retryIn === null ? '' : `; reconnecting in ${(retryIn / 1000).toFixed(1)} s`;
        log('info', `connection closed, code ${code}${why}${next}`);
        closeRtc();
        offerer = false;
        peerReady = false;
    });
    client.connect();
}

function disconnect() {
    if (client) {
        client.close();
        client = null;
        log('info', 'disconnected');
    }
    if (leaveRoom()) {
        log('info', 'left the room');
    }
    closeRtc();
    offerer = false;
    peerReady = false;
    ui.disconnect.disabled = true;
}

/** Data from the peer, over the relay or the data channel. */
function received(data, path) {
    if (typeof data === 'string') {
        const message = path === 'relay' ? signalOf(data) : null;
        if (message) {
            onSignal(message);
        } else {
            log('in', data, { path });
        }
        return;
    }
    const size = data.byteLength;
    log('in', `${size} bytes`, { path, node: downloadLink(data, `from-peer-${Date.now()}.bin`) });
}

/** A signalling message is a JSON object with "rtc" one of ready, offer, answer, candidate; else null. */
function signalOf(text) {
    if (!text.startsWith('{"rtc":')) {
        return null;
    }
    try {
        const message = JSON.parse(text);
        return SIGNALS.has(message.rtc) ? message : null;
    } catch {
        return null;
    }
}

function signal(message) {
    if (client) {
        client.send(JSON.stringify(message));
    }
}

async function onSignal(message) {
    try {
        if (message.rtc === 'ready') {
            peerReady = true;
            if (!ui.rtcMode.checked) {
                log('info', 'the peer is in WebRTC mode; choose WebRTC to open a data channel');
            } else if (offerer) {
                await offer();
            }
            return;
        }
        if (!ui.rtcMode.checked) {
            log('info', `ignored a WebRTC ${message.rtc}: not in WebRTC mode`);
            return;
        }
        if (message.rtc === 'offer') {
            await answer(message.sdp);
        } else if (message.rtc === 'answer' && rtc) {
            await rtc.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
            await addPending();
        } else if (message.rtc === 'candidate' && rtc) {
            rtc.pending.push(message.candidate);
            if (rtc.pc.remoteDescription) {
                await addPending();
            }
        }
    } catch (e) {
        log('error', `WebRTC ${message.rtc}: ${e.message}`);
    }
}

async function addPending() {
    const current = rtc;
    while (current.pending.length > 0) {
        await current.pc.addIceCandidate(current.pending.shift());
    }
}

function newPeerConnection() {
    closeRtc();
    const pc = new RTCPeerConnection({ iceServers: iceServers() });
    const current = { pc, channel: null, pending: [] };
    rtc = current;
    pc.onicecandidate = (event) => {
        if (event.candidate && rtc === current) {
            signal({ rtc: 'candidate', candidate: event.candidate.toJSON() });
        }
    };
    pc.onconnectionstatechange = () => {
        if (rtc === current && current.channel?.readyState !== 'open') {
            showState(ui.rtcState, pc.connectionState);
        }
    };
    showState(ui.rtcState, 'negotiating');
    return current;
}

function useChannel(current, channel) {
    current.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => {
        if (rtc === current) {
            showState(ui.rtcState, 'open');
            log('info', 'data channel open: messages now go peer to peer');
        }
    };
    channel.onclose = () => {
        if (rtc === current) {
            showState(ui.rtcState, 'closed');
            log('info', 'data channel closed: messages go through the relay');
        }
    };
    channel.onmessage = (event) => received(event.data, 'datachannel');
}

async function offer() {
    const current = newPeerConnection();
    useChannel(current, current.pc.createDataChannel('chat'));
    const description = await current.pc.createOffer();
    await current.pc.setLocalDescription(description);
    log('info', 'sent a WebRTC offer through the relay');
    signal({ rtc: 'offer', sdp: description.sdp });
}

async function answer(sdp) {
    const current = newPeerConnection();
    current.pc.ondatachannel = (event) => useChannel(current, event.channel);
    await current.pc.setRemoteDescription({ type: 'offer', sdp });
    await addPending();
    const description = await current.pc.createAnswer();
    await current.pc.setLocalDescription(description);
    log('info', 'received a WebRTC offer; sent the answer through the relay');
    signal({ rtc: 'answer', sdp: description.sdp });
}

function closeRtc() {
    if (rtc) {
        const { pc } = rtc;
        rtc = null;
        pc.close();
    }
    showState(ui.rtcState, ui.rtcMode.checked ? 'idle' : 'off');
}

function openChannel() {
    return rtc && rtc.channel && rtc.channel.readyState === 'open' ? rtc.channel : null;
}

/** Sends over the data channel when one is open, else through the relay; logs which. */
function send(data, description) {
    const channel = openChannel();
    if (channel) {
        channel.send(data);
        log('out', description, { path: 'datachannel' });
    } else if (client && client.send(data)) {
        log('out', description, { path: 'relay' });
    } else {
        log('error', `not sent (not connected): ${description}`);
    }
}

function modeChanged() {
    if (ui.rtcMode.checked) {
        showState(ui.rtcState, 'idle');
        if (client && client.state === 'connected') {
            signal({ rtc: 'ready' });
            if (offerer && peerReady) {
                offer().catch((e) => log('error', `WebRTC offer: ${e.message}`));
            }
        }
        log('info', 'WebRTC mode: the relay carries the signalling, then a data channel carries the chat');
    } else {
        closeRtc();
        log('info', 'relay mode: everything goes through the relay');
    }
}

ui.generate.addEventListener('click', () => {
    ui.id.value = newId();
});
ui.connectForm.addEventListener('submit', (event) => {
    event.preventDefault();
    connect();
});
ui.disconnect.addEventListener('click', disconnect);
ui.copy.addEventListener('click', async () => {
    try {
        await navigator.clipboard.writeText(ui.share.value);
        log('info', 'share link copied');
    } catch {
        ui.share.select();
    }
});
for (const radio of document.querySelectorAll('input[name=mode]')) {
    radio.addEventListener('change', modeChanged);
}
/** Pair or room: the body's data-kind shows the controls of one; a change ends the current connection. */
function kindChanged() {
    disconnect();
    document.body.dataset.kind = inRoomMode() ? 'room' : 'pair';
    showState(ui.state, 'idle');
    ui.share.value = '';
    ui.shareOpen.hidden = true;
    ui.copy.disabled = true;
}
for (const radio of document.querySelectorAll('input[name=kind]')) {
    radio.addEventListener('change', kindChanged);
}
ui.sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.text.value;
    if (text) {
        if (inRoomMode()) {
            sendRoomText(text);
        } else {
            send(text, text);
        }
        ui.text.value = '';
    }
});
ui.sendFile.addEventListener('click', async () => {
    const file = ui.file.files[0];
    if (file) {
        const description = `${file.name}: ${file.size} bytes`;
        if (inRoomMode()) {
            sendRoomFile(await file.arrayBuffer(), description);
        } else {
            send(await file.arrayBuffer(), description);
        }
    }
});

ui.ice.value = new URLSearchParams(location.search).get('ice') ?? '';
ui.roomKind.checked = new URLSearchParams(location.search).get('kind') === 'room';
document.body.dataset.kind = inRoomMode() ? 'room' : 'pair';
let fromHash = '';
try {
    fromHash = decodeURIComponent(location.hash.slice(1));
} catch {
    log('error', 'the id in the link is not valid percent-encoding');
}
if (fromHash) {
    ui.id.value = fromHash;
    connect();
} else {
    ui.id.value = newId();
}
