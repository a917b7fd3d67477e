package crypt_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/crypt"
)

func ring(t *testing.T, list string) *crypt.Keyring {
	t.Helper()
	k, err := crypt.Parse(list)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := ring(t, crypt.Generate())
	sealed := k.Seal("customers", "phone", "row-1", "13812348000")
	if !strings.HasPrefix(sealed, "k1$") || strings.Contains(sealed, "13812348000") {
		t.Fatalf("sealed = %q", sealed)
	}
	if again := k.Seal("customers", "phone", "row-1", "13812348000"); again == sealed {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	got, err := k.Open("customers", "phone", "row-1", sealed)
	if err != nil || got != "13812348000" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Bound to table, column and row: a copied value does not open.
	for _, c := range []struct{ table, column, row string }{
		{"customers", "phone", "row-2"}, {"customers", "email", "row-1"}, {"contacts", "phone", "row-1"},
	} {
		if _, err := k.Open(c.table, c.column, c.row, sealed); !errors.Is(err, crypt.ErrOpen) {
			t.Errorf("opened as %s.%s of %s: err %v", c.table, c.column, c.row, err)
		}
	}
	// Tampered, truncated, or under an unknown key.
	b := []byte(sealed)
	b[len(b)-3] ^= 1
	for _, bad := range []string{string(b), sealed[:10], "k9" + sealed[2:], "no-key-id"} {
		if _, err := k.Open("customers", "phone", "row-1", bad); !errors.Is(err, crypt.ErrOpen) {
			t.Errorf("Open(%q) err = %v, want ErrOpen", bad, err)
		}
	}
	if k.Seal("customers", "phone", "row-1", "") != "" {
		t.Error("an empty field was sealed")
	}
	if got, err := k.Open("customers", "phone", "row-1", ""); got != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", got, err)
	}
	// Another organisation's keys open nothing.
	if _, err := ring(t, crypt.Generate()).Open("customers", "phone", "row-1", sealed); !errors.Is(err, crypt.ErrOpen) {
		t.Errorf("opened with other keys: %v", err)
	}
}

func TestRotation(t *testing.T) {
	list := crypt.Generate()
	old := ring(t, list)
	sealed := old.Seal("customers", "email", "row-1", "zhang.wei@example.cn")
	rotated, id, err := crypt.WithNewPrimary(list)
	if err != nil || id != "k2" {
		t.Fatalf("WithNewPrimary = %q, %v", id, err)
	}
	k := ring(t, rotated)
	if k.Primary() != "k2" || crypt.KeyID(sealed) != "k1" {
		t.Fatalf("primary %q, old value's key %q", k.Primary(), crypt.KeyID(sealed))
	}
	if got, err := k.Open("customers", "email", "row-1", sealed); err != nil || got != "zhang.wei@example.cn" {
		t.Fatalf("the rotated ring does not open the old value: %q, %v", got, err)
	}
	resealed := k.Seal("customers", "email", "row-1", "zhang.wei@example.cn")
	if crypt.KeyID(resealed) != "k2" {
		t.Fatalf("resealed under %q", crypt.KeyID(resealed))
	}
	// The blind index does not move with the sealing keys.
	if k.BlindIndex("phone", "+8613812348000") != old.BlindIndex("phone", "+8613812348000") {
		t.Fatal("rotation changed the blind index")
	}
	if again, id, _ := crypt.WithNewPrimary(rotated); id != "k3" || ring(t, again).Primary() != "k3" {
		t.Fatalf("second rotation: %q", id)
	}
}

func TestBlindIndex(t *testing.T) {
	k := ring(t, crypt.Generate())
	a := k.BlindIndex("phone", "+8613812348000")
	if a != k.BlindIndex("phone", "+8613812348000") || len(a) != 32 || strings.Contains(a, "13812348000") {
		t.Fatalf("index %q", a)
	}
	if a == k.BlindIndex("phone", "+8613812348001") || a == k.BlindIndex("email", "+8613812348000") {
		t.Fatal("different values or columns share an index")
	}
	if a == ring(t, crypt.Generate()).BlindIndex("phone", "+8613812348000") {
		t.Fatal("another index key gives the same index")
	}
	if k.BlindIndex("phone", "") != "" {
		t.Fatal("an empty value has an index")
	}
}

func TestParse(t *testing.T) {
	good := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	for _, bad := range []string{
		"",
		"k1:" + good,                  // no index key
		"index:" + good,               // no sealing key
		"index:" + good + ",k1:short", // not 32 bytes
		"index:" + good + ",k1:!!!",   // not base64
		"index:" + good + ",k1:" + good + ",k1:" + good, // twice
		"index:" + good + ",index:" + good + ",k1:" + good,
		"index:" + good + ",K1:" + good, // upper case id
		"index:" + good + "," + good,    // no id
	} {
		if _, err := crypt.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		} else if strings.Contains(err.Error(), good) {
			t.Errorf("Parse error shows key material: %v", err)
		}
	}
	k := ring(t, " k2:"+good+", index:"+good+" ,k1:"+good)
	if k.Primary() != "k2" {
		t.Fatalf("primary %q, want the first sealing key", k.Primary())
	}
}
