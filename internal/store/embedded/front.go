package embedded

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// MongoDB wire protocol.
const (
	headerLen = 16
	// maxMessageLen is MongoDB's maxMessageSizeBytes; nothing a driver sends is larger.
	maxMessageLen = 48_000_000

	opReply = 1
	opQuery = 2004
	opMsg   = 2013

	flagChecksumPresent = 1 << 0
	flagMoreToCome      = 1 << 1
)

var errMalformed = errors.New("malformed message header")

// command is what the front needs to know about one request.
type command struct {
	name  string // first key of the OP_MSG body; empty for other op codes
	db    string // $db
	coll  string // value of the first key when it is a string (the collection for CRUD commands)
	write bool
}

// writeHooks run with the write lock held: before the request is sent and after its
// reply has been read back.
type writeHooks interface {
	beforeWrite(cmd command)
	afterWrite(cmd command)
}

// front is a MongoDB wire-protocol proxy: each client connection gets its own backend
// connection, and write commands from all connections run one at a time.
type front struct {
	ln    net.Listener
	dial  func(ctx context.Context) (net.Conn, error)
	hooks writeHooks // may be nil
	log   *slog.Logger

	// writeMu is held from sending a write request until its reply is read back.
	// Reads take no lock: FerretDB's lost updates come from writes racing writes,
	// SQLite's WAL gives readers a consistent snapshot, and a read can stream
	// indefinitely (exhaust cursors, awaitable hello), which must not stall writes.
	writeMu sync.Mutex

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func newFront(ln net.Listener, dial func(ctx context.Context) (net.Conn, error), hooks writeHooks, log *slog.Logger) *front {
	f := &front{
		ln:    ln,
		dial:  dial,
		hooks: hooks,
		log:   log,
		conns: map[net.Conn]struct{}{},
	}
	f.wg.Add(1)
	go f.serve()
	return f
}

func (f *front) addr() net.Addr { return f.ln.Addr() }

func (f *front) serve() {
	defer f.wg.Done()
	var backoff time.Duration
	for {
		c, err := f.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || f.isClosed() {
				return
			}
			// Out of file descriptors and the like: wait a little rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			f.log.Warn("embedded: accept", "err", err)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.handle(c)
		}()
	}
}

func (f *front) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// track registers c so close can interrupt it; it reports false once the front is closed.
func (f *front) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

func (f *front) untrack(c net.Conn) {
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
	_ = c.Close()
}

// close stops accepting, lets a write in flight deliver its reply, then closes every
// connection and waits for their goroutines.
func (f *front) close() {
	_ = f.ln.Close()
	f.writeMu.Lock()
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.writeMu.Unlock()
	f.wg.Wait()
}

// peer is one proxied client connection and its backend connection.
type peer struct {
	client  net.Conn
	backend net.Conn
	cr      *bufio.Reader // from client
	br      *bufio.Reader // from backend
	bw      *bufio.Writer // to client
	req     []byte
	reply   bytes.Buffer // a write's reply, held back until the hooks ran
}

func (f *front) handle(client net.Conn) {
	if !f.track(client) {
		_ = client.Close()
		return
	}
	defer f.untrack(client)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	backend, err := f.dial(ctx)
	cancel()
	if err != nil {
		f.log.Error("embedded: connect to FerretDB", "err", err)
		return
	}
	if !f.track(backend) {
		_ = backend.Close()
		return
	}
	defer f.untrack(backend)

	p := &peer{
		client:  client,
		backend: backend,
		cr:      bufio.NewReaderSize(client, 32<<10),
		br:      bufio.NewReaderSize(backend, 32<<10),
		bw:      bufio.NewWriterSize(client, 32<<10),
	}
	for {
		p.req, err = readMessage(p.cr, p.req)
		if err != nil {
			switch {
			case errors.Is(err, errMalformed):
				f.log.Warn("embedded: closing connection", "client", client.RemoteAddr().String(), "err", err)
			case !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed):
				f.log.Debug("embedded: read request", "err", err)
			}
			return
		}
		if err := f.roundTrip(p); err != nil {
			if !errors.Is(err, net.ErrClosed) {
				f.log.Debug("embedded: forward", "err", err)
			}
			return
		}
		// Do not pin a huge buffer for the life of the connection.
		if cap(p.req) > 1<<20 {
			p.req = nil
		}
	}
}

// roundTrip forwards the request in p.req and copies its replies back.
func (f *front) roundTrip(p *peer) error {
	req := p.req
	cmd := classify(req)

	// A request with moreToCome expects no reply. FerretDB replies anyway, and a
	// write must not release the lock before the backend is done with it, so ask
	// for the reply explicitly and drop it.
	discard := false
	if opCode(req) == opMsg && msgFlags(req)&flagMoreToCome != 0 {
		req = expectReply(req)
		discard = true
	}

	if cmd.name == "endSessions" {
		// FerretDB has no sessions to end and answers with an error it also logs
		// as a warning every time a client disconnects; answer for it.
		return f.answerOK(p, discard)
	}

	if cmd.name == CheckpointCommand {
		return f.checkpoint(p, discard)
	}

	if !cmd.write {
		if _, err := p.backend.Write(req); err != nil {
			return fmt.Errorf("write to backend: %w", err)
		}
		var dst io.Writer = p.bw
		if discard {
			dst = io.Discard
		}
		// A reply with moreToCome is followed by more replies to the same request.
		for {
			more, err := copyMessage(dst, p.br)
			if err != nil {
				return fmt.Errorf("read reply: %w", err)
			}
			if err := p.bw.Flush(); err != nil {
				return fmt.Errorf("write to client: %w", err)
			}
			if !more {
				return nil
			}
		}
	}

	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	if f.hooks != nil {
		f.hooks.beforeWrite(cmd)
	}
	if _, err := p.backend.Write(req); err != nil {
		return fmt.Errorf("write to backend: %w", err)
	}
	// The whole reply is read before the client sees any of it, so that a write is
	// acknowledged only after the hooks have run (the collection it created is
	// indexed by then).
	p.reply.Reset()
	var err error
	for more := true; more && err == nil; {
		more, err = copyMessage(&p.reply, p.br)
	}
	if f.hooks != nil {
		// Also after a failed read: the backend may have applied the write.
		f.hooks.afterWrite(cmd)
	}
	if err != nil {
		return fmt.Errorf("read reply: %w", err)
	}
	if !discard {
		if _, err := p.bw.Write(p.reply.Bytes()); err != nil {
			return fmt.Errorf("write to client: %w", err)
		}
		if err := p.bw.Flush(); err != nil {
			return fmt.Errorf("write to client: %w", err)
		}
	}
	if p.reply.Cap() > 1<<20 {
		p.reply = bytes.Buffer{}
	}
	return nil
}

// CheckpointCommand is the command the front answers itself by moving every
// database's write-ahead log into its file and truncating the log, so that
// what deletes overwrote (see Start: secure_delete) leaves the log as well.
// MongoDB does not know it, and answers CommandNotFound.
const CheckpointCommand = "candorCheckpoint"

// checkpointer checkpoints the databases' write-ahead logs.
type checkpointer interface {
	checkpoint() error
}

// checkpoint runs CheckpointCommand under the write lock, so that no write
// adds to a log being truncated.
func (f *front) checkpoint(p *peer, discard bool) error {
	cp, ok := f.hooks.(checkpointer)
	if !ok {
		return f.answer(p, discard, bsoncore.NewDocumentBuilder().AppendDouble("ok", 0).
			AppendString("errmsg", "no databases to checkpoint").AppendInt32("code", 59).Build())
	}
	f.writeMu.Lock()
	err := cp.checkpoint()
	f.writeMu.Unlock()
	if err != nil {
		f.log.Warn("embedded: checkpoint", "err", err)
		return f.answer(p, discard, bsoncore.NewDocumentBuilder().AppendDouble("ok", 0).
			AppendString("errmsg", "checkpoint: "+err.Error()).AppendInt32("code", 1).Build())
	}
	return f.answerOK(p, discard)
}

// answer replies body to the request in p.req without the backend.
func (f *front) answer(p *peer, discard bool, body bsoncore.Document) error {
	if discard {
		return nil
	}
	reply := opMsgBytes(0, 0, body)
	// responseTo names the request being answered.
	copy(reply[8:12], p.req[4:8])
	if _, err := p.bw.Write(reply); err != nil {
		return fmt.Errorf("write to client: %w", err)
	}
	if err := p.bw.Flush(); err != nil {
		return fmt.Errorf("write to client: %w", err)
	}
	return nil
}

// answerOK replies {ok: 1} to the request in p.req without the backend.
func (f *front) answerOK(p *peer, discard bool) error {
	return f.answer(p, discard, bsoncore.NewDocumentBuilder().AppendDouble("ok", 1).Build())
}

// readMessage reads one whole message into buf (grown as needed).
func readMessage(r io.Reader, buf []byte) ([]byte, error) {
	var hdr [headerLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return buf, err
	}
	n, err := messageLen(hdr[:])
	if err != nil {
		return buf, err
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	copy(buf, hdr[:])
	if _, err := io.ReadFull(r, buf[headerLen:]); err != nil {
		return buf, fmt.Errorf("read message body: %w", noEOF(err))
	}
	return buf, nil
}

// copyMessage copies one message from r to w and reports whether it is an OP_MSG
// with moreToCome set.
func copyMessage(w io.Writer, r io.Reader) (moreToCome bool, err error) {
	var hdr [headerLen + 4]byte
	if _, err := io.ReadFull(r, hdr[:headerLen]); err != nil {
		return false, noEOF(err)
	}
	n, err := messageLen(hdr[:headerLen])
	if err != nil {
		return false, err
	}
	head := hdr[:headerLen]
	if opCode(head) == opMsg && n >= headerLen+4 {
		if _, err := io.ReadFull(r, hdr[headerLen:]); err != nil {
			return false, noEOF(err)
		}
		head = hdr[:]
		moreToCome = msgFlags(head)&flagMoreToCome != 0
	}
	if _, err := w.Write(head); err != nil {
		return false, err
	}
	if _, err := io.CopyN(w, r, int64(n-len(head))); err != nil {
		return false, noEOF(err)
	}
	return moreToCome, nil
}

// noEOF turns an EOF inside a message into ErrUnexpectedEOF.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func messageLen(hdr []byte) (int, error) {
	n := int32(binary.LittleEndian.Uint32(hdr[0:4]))
	if n < headerLen || n > maxMessageLen {
		return 0, fmt.Errorf("%w: length %d", errMalformed, n)
	}
	return int(n), nil
}

func opCode(msg []byte) int32 {
	if len(msg) < headerLen {
		return 0
	}
	return int32(binary.LittleEndian.Uint32(msg[12:16]))
}

// msgFlags returns the flag bits of an OP_MSG (0 if msg is too short to have them).
func msgFlags(msg []byte) uint32 {
	if len(msg) < headerLen+4 {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[headerLen : headerLen+4])
}

// expectReply clears moreToCome on an OP_MSG in place. A checksum would no longer
// match, so it is dropped along with its flag.
func expectReply(msg []byte) []byte {
	flags := msgFlags(msg)
	if flags&flagChecksumPresent != 0 && len(msg) >= headerLen+4+4 {
		msg = msg[:len(msg)-4]
		binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
		flags &^= flagChecksumPresent
	}
	flags &^= flagMoreToCome
	binary.LittleEndian.PutUint32(msg[headerLen:headerLen+4], flags)
	return msg
}

// classify decides whether a request must run under the write lock.
func classify(msg []byte) command {
	switch opCode(msg) {
	case opMsg:
		body, ok := msgBody(msg)
		if !ok {
			// Let the backend reject it, but never alongside a write.
			return command{write: true}
		}
		el, err := body.IndexErr(0)
		if err != nil {
			return command{write: true}
		}
		cmd := command{name: el.Key()}
		cmd.coll, _ = el.Value().StringValueOK()
		cmd.db, _ = body.Lookup("$db").StringValueOK()
		cmd.write = !isRead(cmd.name, body)
		return cmd
	case opQuery:
		// Legacy hello during the handshake; FerretDB serves nothing else over OP_QUERY.
		return command{}
	default:
		// OP_COMPRESSED (FerretDB never offers compression, so drivers do not send it)
		// and anything unknown: forward, but never alongside a write.
		return command{write: true}
	}
}

// msgBody returns the section-kind-0 document of an OP_MSG.
func msgBody(msg []byte) (bsoncore.Document, bool) {
	if len(msg) < headerLen+4 {
		return nil, false
	}
	end := len(msg)
	if msgFlags(msg)&flagChecksumPresent != 0 {
		end -= 4
	}
	for p := headerLen + 4; p < end; {
		kind := msg[p]
		p++
		if end-p < 4 {
			return nil, false
		}
		n := int(int32(binary.LittleEndian.Uint32(msg[p : p+4])))
		switch kind {
		case 0:
			if n < 5 || n > end-p {
				return nil, false
			}
			return bsoncore.Document(msg[p : p+n]), true
		case 1:
			// Document sequence: its size counts itself.
			if n < 4 || n > end-p {
				return nil, false
			}
			p += n
		default:
			return nil, false
		}
	}
	return nil, false
}

// isRead reports whether a command only reads. Anything not known to be a read is
// treated as a write: serialising a read costs throughput, racing a write costs data.
func isRead(name string, body bsoncore.Document) bool {
	switch name {
	case "find", "getMore", "count", "distinct", "explain", "killCursors",
		"hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo",
		"endSessions", "connectionStatus", "getParameter", "whatsmyuri",
		"dbStats", "dbstats", "collStats", "dataSize", "serverStatus", "currentOp",
		"hostInfo", "getCmdLineOpts", "getLog", "getFreeMonitoringStatus",
		"usersInfo", "authenticate", "logout":
		return true
	case "aggregate":
		return !pipelineWrites(body)
	}
	return strings.HasPrefix(name, "list") || strings.HasPrefix(name, "sasl")
}

// pipelineWrites reports whether an aggregate pipeline has a $out or $merge stage.
func pipelineWrites(body bsoncore.Document) bool {
	arr, ok := body.Lookup("pipeline").ArrayOK()
	if !ok {
		return false
	}
	stages, err := arr.Values()
	if err != nil {
		return true
	}
	for _, st := range stages {
		doc, ok := st.DocumentOK()
		if !ok {
			continue
		}
		el, err := doc.IndexErr(0)
		if err != nil {
			continue
		}
		if k := el.Key(); k == "$out" || k == "$merge" {
			return true
		}
	}
	return false
}

// ping sends {ping: 1} over a fresh connection and waits for an ok reply.
func ping(ctx context.Context, network, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := c.Write(opMsgBytes(1, 0, bsoncore.NewDocumentBuilder().
		AppendInt32("ping", 1).AppendString("$db", "admin").Build())); err != nil {
		return err
	}
	reply, err := readMessage(c, nil)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	body, ok := msgBody(reply)
	if opCode(reply) != opMsg || !ok {
		return errors.New("unexpected reply to ping")
	}
	if v, ok := body.Lookup("ok").AsFloat64OK(); !ok || v != 1 {
		return fmt.Errorf("ping failed: %s", body)
	}
	return nil
}

// opMsgBytes builds an OP_MSG with one body section.
func opMsgBytes(requestID int32, flags uint32, body bsoncore.Document) []byte {
	n := headerLen + 4 + 1 + len(body)
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint32(b, uint32(requestID))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, opMsg)
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = append(b, 0)
	return append(b, body...)
}
