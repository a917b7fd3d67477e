package password

import (
	"context"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/semaphore"
)

// budgetKiB is the memory all hashing in the process may hold at once:
// two hashes at the production parameters. It is sized for memory, not
// for CPUs: a hash holds its memory for its whole run, and a server with
// many cores has no more memory for sign-ins than one with two. Measured
// on a server with little live data, a burst of sign-ins peaked at about
// 85 MB resident with room for one hash, 125–135 MB for two and 190 MB for
// three: the garbage collector keeps a multiple of what it last saw live.
// Two answer a burst twice as fast as one, on any machine with two cores.
const budgetKiB = 2 * 19 * 1024

// maxMemoryKiB is the most memory a stored hash may ask for: the 64 MiB
// of earlier versions, which still verify. One that needs more than the
// budget takes all of it, and so runs alone.
const maxMemoryKiB = 64 * 1024

// budget counts the memory, in KiB, that running hashes hold. It is
// FIFO: a waiting 64 MiB verification is not starved by smaller ones.
var budget = semaphore.NewWeighted(budgetKiB)

// idleDelay is how long hashing must rest before its memory goes back to
// the system: long enough that a steady trickle of sign-ins does not force
// a collection each, short enough that a burst leaves nothing behind.
const idleDelay = time.Second

// running counts the hashes under way, and schedules free when the
// last of a burst ends. Each hash allocates its memory afresh and drops it
// at the end; the garbage collector would keep that much as headroom,
// since a collection during a burst sees it live, and return it to the
// system only slowly: a few sign-ins left a server with little live data
// holding well over 100 MB.
var running = struct {
	sync.Mutex
	n     int
	timer *time.Timer
	free  func() // returns unused heap to the system; tests replace it
}{free: debug.FreeOSMemory}

// derive runs argon2id within the budget: it waits for p's memory to be
// free, or for ctx to end.
func derive(ctx context.Context, pw string, salt []byte, p Params, n uint32) ([]byte, error) {
	weight := min(int64(p.MemoryKiB), budgetKiB) // more would wait forever
	if err := budget.Acquire(ctx, weight); err != nil {
		return nil, err
	}
	begin()
	defer func() {
		budget.Release(weight)
		end()
	}()
	return argon2.IDKey([]byte(pw), salt, p.Passes, p.MemoryKiB, p.Lanes, n), nil
}

func begin() {
	running.Lock()
	defer running.Unlock()
	running.n++
	if running.timer != nil {
		running.timer.Stop()
	}
}

func end() {
	running.Lock()
	defer running.Unlock()
	if running.n--; running.n > 0 {
		return
	}
	if running.timer == nil {
		running.timer = time.AfterFunc(idleDelay, func() {
			running.Lock()
			free := running.free
			running.Unlock()
			free()
		})
		return
	}
	running.timer.Reset(idleDelay)
}
