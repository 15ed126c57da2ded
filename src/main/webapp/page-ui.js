// What the page's pair mode (page.js) and room mode (room-page.js) share: the log and small helpers.

export const $ = (id) => document.getElementById(id);

const PATH_LABEL = { relay: 'relay', datachannel: 'data channel', all: 'to all', direct: 'direct' };

/** 128 random bits, base64url: unguessable. */
export function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function time() {
    return new Date().toTimeString().slice(0, 8);
}

/**
 * Adds a log line. kind: control (from the relay), in (received), out (sent), info, error.
 * path: relay or datachannel for pair data, all or direct for room data, else none.
 * who: who sent it, shown before the text (else "you" or "peer" after the kind); data: more data-* attributes.
 */
export function log(kind, text, { path = null, node = null, who = null, data = {} } = {}) {
    const item = document.createElement('li');
    item.dataset.kind = kind;
    Object.assign(item.dataset, data);
    const stamp = document.createElement('time');
    stamp.textContent = time();
    item.append(stamp);
    if (path) {
        item.dataset.path = path;
        const tag = document.createElement('span');
        tag.className = 'path';
        tag.textContent = PATH_LABEL[path];
        item.append(tag);
    }
    const body = document.createElement('span');
    body.className = 'text';
    if (who) {
        item.dataset.who = who;
        const sender = document.createElement('span');
        sender.className = 'who';
        sender.textContent = `${who}: `;
        body.append(sender);
    }
    body.append(text);
    if (node) {
        body.append(' ', node);
    }
    item.append(body);
    const list = $('log');
    list.append(item);
    list.scrollTop = list.scrollHeight;
}

export function downloadLink(buffer, name) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([buffer], { type: 'application/octet-stream' }));
    link.download = name;
    link.textContent = 'download';
    return link;
}

export function showState(element, state) {
    element.dataset.state = state;
    element.textContent = state;
}

/** A relay URL for the log: the token replaced by an ellipsis. */
export function withoutToken(url) {
    return url.replace(/\?token=.*$/, '?token=…');
}
