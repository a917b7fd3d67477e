package gonghai

import "testing"

// TestParseSize: the names people write map to the codes; anything else
// stays as written, for Validate to refuse.
func TestParseSize(t *testing.T) {
	for in, want := range map[string]string{"中型": "medium", " Large ": "large", "KA": "key", "重点客户": "key", "": "",
		"small": "small", "巨型": "巨型"} {
		if got := ParseSize(in); got != want {
			t.Errorf("ParseSize(%q) = %q, want %q", in, got, want)
		}
	}
	if err := (CustomerFields{Company: "甲", Size: "巨型"}).Validate(); ErrorCode(err) != EInvalid {
		t.Errorf("size 巨型: %v", err)
	}
	if err := (NewCustomer{CustomerFields: CustomerFields{Company: "甲"}, Lifecycle: "prospect"}).Validate(); ErrorCode(err) != EInvalid {
		t.Errorf("lifecycle prospect: %v", err)
	}
}

// TestConvertInput: an opportunity needs a title, an amount in range and
// one of the organisation's stages.
func TestConvertInput(t *testing.T) {
	stages := DefaultStages
	for _, c := range []struct {
		in    ConvertInput
		field string
	}{
		{ConvertInput{}, ""},
		{ConvertInput{Opportunity: &ConvertOpportunity{Title: " 年度采购 ", Stage: "需求确认"}}, ""},
		{ConvertInput{Opportunity: &ConvertOpportunity{Title: "  "}}, "opportunity.title"},
		{ConvertInput{Opportunity: &ConvertOpportunity{Title: "采购", Amount: -1}}, "opportunity.amount"},
		{ConvertInput{Opportunity: &ConvertOpportunity{Title: "采购", Stage: "签约"}}, "opportunity.stage"},
	} {
		err := c.in.Cleaned().Validate(stages)
		e, _ := err.(*Error)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.in.Opportunity, err)
		case c.field != "" && (e == nil || e.Fields[c.field] == ""):
			t.Errorf("%+v: %v, want %s named", c.in.Opportunity, err, c.field)
		}
	}
}
