// A minimal relay in Go on gorilla/websocket, used only as a yardstick ceiling by compare.sh ("gorelay"): two
// clients that open ws://HOST:PORT/<id> with the same id are paired and each message of one is written to the
// other. It sends /status:waiting and /status:connected like websocket-relay and nothing else: no limits, no
// bound on what waits for a slow reader, no message to a peer that leaves. Reads go through gorilla; each connection has one
// writer goroutine that frames messages itself into a buffered writer and flushes when nothing more is queued, so
// a burst of small messages leaves in few system calls (as websocket-relay's launcher does). Build (Debian's
// golang-go and golang-github-gorilla-websocket-dev, no module download):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o /tmp/gorelay src/test/bench/gorelay/main.go
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"log"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// finish, queued as a message's kind, makes the writer flush and close the socket.
const finish = -1

type message struct {
	kind int
	data []byte
}

type client struct {
	ws    *websocket.Conn
	out   chan message
	peer  atomic.Pointer[client] // set once, when paired
	done  chan struct{}
	close sync.Once
}

var (
	mu      sync.Mutex
	waiting = map[string]*client{}
	upgrade = websocket.Upgrader{
		ReadBufferSize:  16384,
		WriteBufferSize: 4096,
		CheckOrigin:     func(*http.Request) bool { return true },
	}
)

// send queues a message for the writer goroutine; false once the connection is gone.
func (c *client) send(kind int, data []byte) bool {
	select {
	case c.out <- message{kind, data}:
		return true
	case <-c.done:
		return false
	}
}

func (c *client) shut() {
	c.close.Do(func() {
		close(c.done)
		c.ws.UnderlyingConn().Close()
	})
}

// writeLoop frames every queued message (server frames are not masked) and flushes once the queue is empty.
func (c *client) writeLoop() {
	w := bufio.NewWriterSize(c.ws.UnderlyingConn(), 16384)
	var head [10]byte
	for {
		var m message
		select {
		case m = <-c.out:
		case <-c.done:
			return
		}
		for m.kind != finish {
			head[0] = 0x80 | byte(m.kind)
			n := 2
			switch size := len(m.data); {
			case size < 126:
				head[1] = byte(size)
			case size < 65536:
				head[1] = 126
				binary.BigEndian.PutUint16(head[2:], uint16(size))
				n = 4
			default:
				head[1] = 127
				binary.BigEndian.PutUint64(head[2:], uint64(size))
				n = 10
			}
			w.Write(head[:n])
			w.Write(m.data)
			select {
			case m = <-c.out:
				continue
			default:
			}
			break
		}
		if w.Flush() != nil || m.kind == finish {
			c.shut()
			return
		}
	}
}

func serve(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrade.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	id := r.URL.Path
	c := &client{ws: ws, out: make(chan message, 256), done: make(chan struct{})}
	ws.SetCloseHandler(func(code int, _ string) error {
		c.send(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""))
		return nil
	})
	go c.writeLoop()
	mu.Lock()
	other := waiting[id]
	if other != nil {
		delete(waiting, id)
		c.peer.Store(other)
		other.peer.Store(c)
	} else {
		waiting[id] = c
		// queued while holding mu, so it stays ahead of a partner's /status:connected
		c.send(websocket.TextMessage, []byte("/status:waiting"))
	}
	mu.Unlock()
	if other != nil {
		other.send(websocket.TextMessage, []byte("/status:connected"))
		c.send(websocket.TextMessage, []byte("/status:connected"))
	}
	for {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		if peer := c.peer.Load(); peer != nil && !peer.send(kind, data) {
			break
		}
	}
	mu.Lock()
	if waiting[id] == c {
		delete(waiting, id)
	}
	mu.Unlock()
	c.send(finish, nil)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address (loopback only in benchmarks)")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(serve)))
}
