package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

func doc(kv ...any) bsoncore.Document {
	b := bsoncore.NewDocumentBuilder()
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			b.AppendString(k, v)
		case int:
			b.AppendInt32(k, int32(v))
		case bsoncore.Document:
			b.AppendDocument(k, v)
		case []bsoncore.Document:
			a := bsoncore.NewArrayBuilder()
			for _, d := range v {
				a.AppendDocument(d)
			}
			b.AppendArray(k, a.Build())
		default:
			panic("unsupported value")
		}
	}
	return b.Build()
}

// withHeader overrides the op code of a message built by opMsgBytes.
func withOpCode(msg []byte, op int32) []byte {
	binary.LittleEndian.PutUint32(msg[12:16], uint32(op))
	return msg
}

// withSequence appends a kind-1 section before the body: drivers may put
// documents for insert there, in any order.
func sequenceFirst(body bsoncore.Document) []byte {
	seq := []byte{1}
	ident := "documents\x00"
	d := doc("_id", 1)
	seq = binary.LittleEndian.AppendUint32(seq, uint32(4+len(ident)+len(d)))
	seq = append(seq, ident...)
	seq = append(seq, d...)
	m := opMsgBytes(1, 0, body)
	out := append([]byte{}, m[:headerLen+4]...)
	out = append(out, seq...)
	out = append(out, m[headerLen+4:]...)
	binary.LittleEndian.PutUint32(out[0:4], uint32(len(out)))
	return out
}

func TestClassify(t *testing.T) {
	checksummed := opMsgBytes(1, flagChecksumPresent, doc("find", "c", "$db", "d"))
	checksummed = append(checksummed, 1, 2, 3, 4)
	binary.LittleEndian.PutUint32(checksummed[0:4], uint32(len(checksummed)))

	tests := []struct {
		name      string
		msg       []byte
		write     bool
		cmd, coll string
		db        string
	}{
		{"find", opMsgBytes(1, 0, doc("find", "c", "filter", doc(), "$db", "d")), false, "find", "c", "d"},
		{"getMore", opMsgBytes(1, 0, doc("getMore", 5, "collection", "c", "$db", "d")), false, "getMore", "", "d"},
		{"aggregate", opMsgBytes(1, 0, doc("aggregate", "c", "pipeline", []bsoncore.Document{doc("$match", doc())}, "$db", "d")), false, "aggregate", "c", "d"},
		{"aggregate $out", opMsgBytes(1, 0, doc("aggregate", "c", "pipeline", []bsoncore.Document{doc("$match", doc()), doc("$out", "x")}, "$db", "d")), true, "aggregate", "c", "d"},
		{"aggregate $merge", opMsgBytes(1, 0, doc("aggregate", "c", "pipeline", []bsoncore.Document{doc("$merge", doc("into", "x"))}, "$db", "d")), true, "aggregate", "c", "d"},
		{"count", opMsgBytes(1, 0, doc("count", "c", "$db", "d")), false, "count", "c", "d"},
		{"distinct", opMsgBytes(1, 0, doc("distinct", "c", "key", "k", "$db", "d")), false, "distinct", "c", "d"},
		{"listCollections", opMsgBytes(1, 0, doc("listCollections", 1, "$db", "d")), false, "listCollections", "", "d"},
		{"listIndexes", opMsgBytes(1, 0, doc("listIndexes", "c", "$db", "d")), false, "listIndexes", "c", "d"},
		{"listDatabases", opMsgBytes(1, 0, doc("listDatabases", 1, "$db", "admin")), false, "listDatabases", "", "admin"},
		{"hello", opMsgBytes(1, 0, doc("hello", 1, "$db", "admin")), false, "hello", "", "admin"},
		{"isMaster", opMsgBytes(1, 0, doc("isMaster", 1, "$db", "admin")), false, "isMaster", "", "admin"},
		{"ismaster", opMsgBytes(1, 0, doc("ismaster", 1, "$db", "admin")), false, "ismaster", "", "admin"},
		{"ping", opMsgBytes(1, 0, doc("ping", 1, "$db", "admin")), false, "ping", "", "admin"},
		{"buildinfo", opMsgBytes(1, 0, doc("buildinfo", 1, "$db", "admin")), false, "buildinfo", "", "admin"},
		{"killCursors", opMsgBytes(1, 0, doc("killCursors", "c", "$db", "d")), false, "killCursors", "c", "d"},
		{"endSessions", opMsgBytes(1, 0, doc("endSessions", 1, "$db", "admin")), false, "endSessions", "", "admin"},
		{"saslStart", opMsgBytes(1, 0, doc("saslStart", 1, "$db", "admin")), false, "saslStart", "", "admin"},
		{"saslContinue", opMsgBytes(1, 0, doc("saslContinue", 1, "$db", "admin")), false, "saslContinue", "", "admin"},
		{"explain", opMsgBytes(1, 0, doc("explain", doc("update", "c"), "$db", "d")), false, "explain", "", "d"},
		{"dbStats", opMsgBytes(1, 0, doc("dbStats", 1, "$db", "d")), false, "dbStats", "", "d"},
		{"serverStatus", opMsgBytes(1, 0, doc("serverStatus", 1, "$db", "admin")), false, "serverStatus", "", "admin"},
		{"insert", opMsgBytes(1, 0, doc("insert", "c", "$db", "d")), true, "insert", "c", "d"},
		{"insert with documents first", sequenceFirst(doc("insert", "c", "$db", "d")), true, "insert", "c", "d"},
		{"update", opMsgBytes(1, 0, doc("update", "c", "$db", "d")), true, "update", "c", "d"},
		{"delete", opMsgBytes(1, 0, doc("delete", "c", "$db", "d")), true, "delete", "c", "d"},
		{"findAndModify", opMsgBytes(1, 0, doc("findAndModify", "c", "$db", "d")), true, "findAndModify", "c", "d"},
		{"createIndexes", opMsgBytes(1, 0, doc("createIndexes", "c", "$db", "d")), true, "createIndexes", "c", "d"},
		{"create", opMsgBytes(1, 0, doc("create", "c", "$db", "d")), true, "create", "c", "d"},
		{"drop", opMsgBytes(1, 0, doc("drop", "c", "$db", "d")), true, "drop", "c", "d"},
		{"dropDatabase", opMsgBytes(1, 0, doc("dropDatabase", 1, "$db", "d")), true, "dropDatabase", "", "d"},
		{"unknown command", opMsgBytes(1, 0, doc("frobnicate", 1, "$db", "d")), true, "frobnicate", "", "d"},
		{"checksum", checksummed, false, "find", "c", "d"},
		{"OP_QUERY", withOpCode(opMsgBytes(1, 0, doc("isMaster", 1)), opQuery), false, "", "", ""},
		{"OP_COMPRESSED", withOpCode(opMsgBytes(1, 0, doc("find", "c")), 2012), true, "", "", ""},
		{"unknown op code", withOpCode(opMsgBytes(1, 0, doc("find", "c")), 2002), true, "", "", ""},
		{"no sections", opMsgBytes(1, 0, nil), true, "", "", ""},
		{"truncated body", opMsgBytes(1, 0, doc("find", "c"))[:headerLen+4+1+6], true, "", "", ""},
		{"bad section kind", append(opMsgBytes(1, 0, nil), 7, 0, 0, 0, 0), true, "", "", ""},
		{"empty body", opMsgBytes(1, 0, doc()), true, "", "", ""},
		{"too short", []byte{1, 2, 3}, true, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.msg)
			want := command{name: tt.cmd, db: tt.db, coll: tt.coll, write: tt.write}
			if got != want {
				t.Errorf("classify = %+v, want %+v", got, want)
			}
		})
	}
}

func TestExpectReply(t *testing.T) {
	m := opMsgBytes(7, flagMoreToCome|flagChecksumPresent|1<<16, doc("insert", "c", "$db", "d"))
	m = append(m, 9, 9, 9, 9)
	binary.LittleEndian.PutUint32(m[0:4], uint32(len(m)))
	n := len(m)

	got := expectReply(m)
	if len(got) != n-4 || int(binary.LittleEndian.Uint32(got[0:4])) != n-4 {
		t.Fatalf("length %d / header %d, want %d", len(got), binary.LittleEndian.Uint32(got[0:4]), n-4)
	}
	if f := msgFlags(got); f != 1<<16 {
		t.Fatalf("flags = %#x, want only exhaustAllowed", f)
	}
	if body, ok := msgBody(got); !ok || body.Lookup("insert").StringValue() != "c" {
		t.Fatalf("body lost: %v", body)
	}
}

// fakeBackend answers each request on its own connection with handle's replies.
type fakeBackend struct {
	handle func(req []byte) [][]byte
	got    chan []byte // every request, as received
}

func (b *fakeBackend) dial(context.Context) (net.Conn, error) {
	c, s := net.Pipe()
	go func() {
		defer s.Close()
		for {
			req, err := readMessage(s, nil)
			if err != nil {
				return
			}
			if b.got != nil {
				b.got <- req
			}
			for _, r := range b.handle(req) {
				if _, err := s.Write(r); err != nil {
					return
				}
			}
		}
	}()
	return c, nil
}

func requestID(msg []byte) int32  { return int32(binary.LittleEndian.Uint32(msg[4:8])) }
func responseTo(msg []byte) int32 { return int32(binary.LittleEndian.Uint32(msg[8:12])) }

// reply builds an OP_MSG answering req.
func reply(req []byte, flags uint32, body bsoncore.Document) []byte {
	r := opMsgBytes(100, flags, body)
	binary.LittleEndian.PutUint32(r[8:12], uint32(requestID(req)))
	return r
}

func okReply(req []byte) [][]byte { return [][]byte{reply(req, 0, doc("ok", 1))} }

type hookFunc struct{ before, after func(command) }

func (h hookFunc) beforeWrite(c command) {
	if h.before != nil {
		h.before(c)
	}
}

func (h hookFunc) afterWrite(c command) {
	if h.after != nil {
		h.after(c)
	}
}

func startFront(t *testing.T, b *fakeBackend, hooks writeHooks) *front {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := newFront(ln, b.dial, hooks, slog.New(slog.DiscardHandler))
	t.Cleanup(f.close)
	return f
}

func dialFront(t *testing.T, f *front) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", f.addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

func send(t *testing.T, c net.Conn, m []byte) {
	t.Helper()
	if _, err := c.Write(m); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, c net.Conn) []byte {
	t.Helper()
	m, err := readMessage(c, nil)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	return m
}

func TestFrontMoreToCome(t *testing.T) {
	t.Run("request", func(t *testing.T) {
		b := &fakeBackend{handle: okReply, got: make(chan []byte, 10)}
		c := dialFront(t, startFront(t, b, nil))

		// w:0 insert, checksummed: no reply reaches the client, and the backend is
		// asked for one (and answers it) before the next request goes out.
		m := opMsgBytes(1, flagMoreToCome|flagChecksumPresent, doc("insert", "c", "$db", "d"))
		m = append(m, 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(m[0:4], uint32(len(m)))
		send(t, c, m)
		send(t, c, opMsgBytes(2, 0, doc("find", "c", "$db", "d")))

		r := recv(t, c)
		if responseTo(r) != 2 {
			t.Fatalf("first reply answers request %d, want 2", responseTo(r))
		}
		first := <-b.got
		if f := msgFlags(first); f != 0 {
			t.Errorf("backend got flags %#x, want moreToCome and checksum cleared", f)
		}
		if len(first) != len(m)-4 {
			t.Errorf("backend got %d bytes, want %d", len(first), len(m)-4)
		}
		// Nothing else is pending for the client.
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := readMessage(c, nil); !isTimeout(err) {
			t.Fatalf("extra reply or error: %v", err)
		}
	})

	t.Run("exhaust reply", func(t *testing.T) {
		b := &fakeBackend{handle: func(req []byte) [][]byte {
			return [][]byte{
				reply(req, flagMoreToCome, doc("batch", 1)),
				reply(req, flagMoreToCome, doc("batch", 2)),
				reply(req, 0, doc("batch", 3)),
			}
		}}
		c := dialFront(t, startFront(t, b, nil))
		send(t, c, opMsgBytes(5, 1<<16, doc("getMore", 1, "$db", "d")))
		for i := int32(1); i <= 3; i++ {
			body, _ := msgBody(recv(t, c))
			if got := body.Lookup("batch").Int32(); got != i {
				t.Fatalf("batch %d, want %d", got, i)
			}
		}
		// The connection is still usable afterwards.
		send(t, c, opMsgBytes(6, 0, doc("ping", 1, "$db", "admin")))
		if r := recv(t, c); responseTo(r) != 6 {
			t.Fatalf("reply to %d, want 6", responseTo(r))
		}
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestFrontSerialisesWrites(t *testing.T) {
	var inWrite, maxWrite atomic.Int32
	readers := make(chan struct{})
	var readersOnce sync.Once
	var readsIn atomic.Int32
	b := &fakeBackend{handle: func(req []byte) [][]byte {
		cmd := classify(req)
		if !cmd.write {
			// Two reads must be in the backend at once to get past here.
			if readsIn.Add(1) == 2 {
				readersOnce.Do(func() { close(readers) })
			}
			select {
			case <-readers:
			case <-time.After(5 * time.Second):
				return [][]byte{reply(req, 0, doc("ok", 0))}
			}
			return okReply(req)
		}
		n := inWrite.Add(1)
		for {
			m := maxWrite.Load()
			if n <= m || maxWrite.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		inWrite.Add(-1)
		return okReply(req)
	}}
	f := startFront(t, b, nil)

	// Helpers that call t.Fatal must not run outside the test goroutine.
	roundTrip := func(c net.Conn, m []byte) (bsoncore.Document, error) {
		if _, err := c.Write(m); err != nil {
			return nil, err
		}
		r, err := readMessage(c, nil)
		if err != nil {
			return nil, err
		}
		body, _ := msgBody(r)
		return body, nil
	}
	writers := make([]net.Conn, 8)
	for i := range writers {
		writers[i] = dialFront(t, f)
	}
	readConns := []net.Conn{dialFront(t, f), dialFront(t, f)}

	var wg sync.WaitGroup
	for i, c := range writers {
		wg.Go(func() {
			for j := range 10 {
				if _, err := roundTrip(c, opMsgBytes(int32(i*100+j), 0, doc("update", "c", "$db", "d"))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for _, c := range readConns {
		wg.Go(func() {
			body, err := roundTrip(c, opMsgBytes(1, 0, doc("find", "c", "$db", "d")))
			if err != nil {
				t.Error(err)
			} else if body.Lookup("ok").Int32() != 1 {
				t.Error("reads did not run side by side")
			}
		})
	}
	wg.Wait()
	if m := maxWrite.Load(); m != 1 {
		t.Fatalf("%d writes overlapped in the backend", m)
	}
}

func TestFrontHooks(t *testing.T) {
	var fp atomic.Pointer[front]
	var mu sync.Mutex
	var calls []string
	var afterDone atomic.Bool
	record := func(what string) func(command) {
		return func(c command) {
			if f := fp.Load(); f.writeMu.TryLock() {
				f.writeMu.Unlock()
				t.Errorf("%s hook ran without the write lock", what)
			}
			mu.Lock()
			calls = append(calls, what+" "+c.name+" "+c.db+"."+c.coll)
			mu.Unlock()
			if what == "after" {
				afterDone.Store(true)
			}
		}
	}
	fp.Store(startFront(t, &fakeBackend{handle: okReply}, hookFunc{before: record("before"), after: record("after")}))
	c := dialFront(t, fp.Load())

	send(t, c, opMsgBytes(1, 0, doc("find", "c", "$db", "d")))
	recv(t, c)
	send(t, c, opMsgBytes(2, 0, doc("insert", "c", "$db", "d")))
	recv(t, c)
	if !afterDone.Load() {
		t.Error("write acknowledged before the after hook ran")
	}

	mu.Lock()
	defer mu.Unlock()
	want := []string{"before insert d.c", "after insert d.c"}
	if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("hook calls = %q, want %q", calls, want)
	}
}

func TestFrontClosesOnMalformedHeader(t *testing.T) {
	for _, length := range []uint32{0, 15, maxMessageLen + 1, 1 << 31} {
		f := startFront(t, &fakeBackend{handle: okReply}, nil)
		c := dialFront(t, f)
		hdr := binary.LittleEndian.AppendUint32(nil, length)
		hdr = append(hdr, make([]byte, 12)...)
		send(t, c, hdr)
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("length %d: read = %v, want EOF", length, err)
		}
	}
}

func TestFrontClose(t *testing.T) {
	release := make(chan struct{})
	b := &fakeBackend{got: make(chan []byte, 1), handle: func(req []byte) [][]byte {
		<-release
		return okReply(req)
	}}
	f := startFront(t, b, nil)
	idle := dialFront(t, f)
	busy := dialFront(t, f)
	send(t, busy, opMsgBytes(1, 0, doc("insert", "c", "$db", "d")))
	<-b.got // the write is in flight

	closed := make(chan struct{})
	go func() { f.close(); close(closed) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-closed:
		t.Fatal("close did not wait for the write in flight")
	default:
	}
	close(release)
	// The write in flight still gets its reply; then everything is closed.
	if r := recv(t, busy); responseTo(r) != 1 {
		t.Fatalf("reply to %d", responseTo(r))
	}
	<-closed
	if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("idle connection after close: %v", err)
	}
	if _, err := net.Dial("tcp", f.addr().String()); err == nil {
		t.Error("front still accepts after close")
	}
}
