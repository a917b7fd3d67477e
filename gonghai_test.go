package gonghai

import (
	"testing"
	"time"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"13812348000": "138****8000", "+8613812348000": "+86****8000", "6688123": "*****23", "110": "***", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"zhang.wei@example.cn": "z***@example.cn", "张伟@公司.cn": "张***@公司.cn", "noat": "****", "": ""} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDays(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	late := time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC) // 23:59 on the 1st in Shanghai
	if got, want := StartOfDay(late, sh), time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("StartOfDay = %v, want %v", got, want)
	}
	if got, want := AddDays(late, 1, sh), time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("AddDays(+1) = %v, want the next midnight in Shanghai %v", got, want)
	}
	// Across a daylight-saving change a day is not 24 hours; calendar days still count.
	ny, _ := time.LoadLocation("America/New_York")
	before := time.Date(2026, 3, 7, 17, 0, 0, 0, ny)
	if got := AddDays(before, 1, ny).In(ny); got.Day() != 8 || got.Hour() != 0 {
		t.Errorf("AddDays across DST = %v, want midnight of the 8th", got)
	}
}

func TestCheckHolding(t *testing.T) {
	five, two := 5, 2
	s := Settings{LevelHoldingLimits: map[string]int{"junior": 3}}
	for _, tc := range []struct {
		name    string
		user    User
		pool    Pool
		held    Holding
		refused bool
	}{
		{"level limit not reached", User{Level: "junior"}, Pool{}, Holding{Overall: 2}, false},
		{"level limit reached", User{Level: "junior"}, Pool{}, Holding{Overall: 3}, true},
		{"personal overrides level", User{Level: "junior", HoldingLimit: &five}, Pool{}, Holding{Overall: 4}, false},
		{"personal limit below level", User{Level: "junior", HoldingLimit: &two}, Pool{}, Holding{Overall: 2}, true},
		{"no level, no limit", User{Level: "senior"}, Pool{}, Holding{Overall: 1000}, false},
		{"pool stricter than overall", User{HoldingLimit: &five}, Pool{HoldingLimit: 1}, Holding{Overall: 1, InPool: 1}, true},
		{"overall stricter than pool", User{HoldingLimit: &two}, Pool{HoldingLimit: 10}, Holding{Overall: 2, InPool: 0}, true},
	} {
		err := CheckHolding(s, tc.pool, tc.user, tc.held)
		if (err != nil) != tc.refused || (err != nil && ErrorCode(err) != EHoldingLimit) {
			t.Errorf("%s: %v, want refused=%v", tc.name, err, tc.refused)
		}
	}
}

func TestCustomerFieldsValidate(t *testing.T) {
	err := CustomerFields{Category: "D", Phone: "call me", Email: "no-at"}.Validate()
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid || len(e.Fields) != 4 {
		t.Fatalf("Validate = %#v, want invalid naming name, category, phone and email", err)
	}
	if err := (CustomerFields{Company: "杭州恒信科技有限公司", Category: "A", Phone: "+86 138-1234-8000"}).Validate(); err != nil {
		t.Fatalf("a good customer was refused: %v", err)
	}
}
