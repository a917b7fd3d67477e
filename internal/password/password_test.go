package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("正确的密码 horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if ok, err := Verify("正确的密码 horse", h); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := Verify("正确的密码 Horse", h); ok {
		t.Fatal("wrong password accepted")
	}
	if h2, _ := Hash("正确的密码 horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not fresh")
	}
	if _, err := Verify("x", "$bcrypt$whatever"); err == nil {
		t.Fatal("a foreign hash was not refused")
	}
	if _, err := Hash(""); err == nil {
		t.Fatal("an empty password was hashed")
	}
}
