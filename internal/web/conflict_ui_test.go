package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// seed records a conflict of actor over customer matched, created
// anyway as newID ("" for none).
func (o *teamOrg) seed(actor gonghai.User, matched, newID string) string {
	o.t.Helper()
	c, err := o.db.Customer(context.Background(), o.admin, matched)
	if err != nil {
		o.t.Fatal(err)
	}
	k, err := o.db.SeedConflict(context.Background(), gonghai.Conflict{Kind: gonghai.ConflictSimilar, ActorID: actor.ID,
		Field: "company", Company: "上海恒信科技", MatchedID: matched, MatchedOwnerID: c.OwnerID, NewID: newID})
	if err != nil {
		o.t.Fatal(err)
	}
	return k.ID
}

// TestConflictPages: reps are refused the conflicts; a manager lists his
// subtree's with the open count in the nav, sees both customers masked
// side by side, merges them choosing a side per field, and the merged
// customer's page leads to the survivor, whose history shows both.
func TestConflictPages(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		created := o.create(o.pool, o.b.ID, "上海恒信科技", "13700001111")
		k := o.seed(o.b, o.ownedByA, created)
		northOnly := o.seed(o.north, o.northC, "")

		if r := o.as("rep.a").get("/conflicts"); r.Status != http.StatusForbidden {
			t.Fatalf("a rep opens the conflicts: %d", r.Status)
		}
		mgr := o.as("mgr.east")
		r := mgr.get("/conflicts")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `data-id="`+k+`"`) || strings.Contains(r.Body, northOnly) ||
			!strings.Contains(r.Body, `id="nav-conflicts"`) || !strings.Contains(r.Body, `<span class="stat-value" id="conflict-open">1</span>`) {
			t.Fatalf("the manager's list: %d\n%.3000s", r.Status, r.Body)
		}
		// Refused with the field named; the form keeps what was typed.
		if r := mgr.get("/conflicts?from=yesterday"); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `class="flash flash-error" role="alert"`) {
			t.Errorf("a bad date: %d", r.Status)
		}
		if r := mgr.get("/conflicts/" + northOnly); r.Status != http.StatusNotFound {
			t.Errorf("another team's conflict: %d", r.Status)
		}
		r = mgr.get("/conflicts/" + k)
		for _, want := range []string{`name="f.phone"`, `id="do-merge"`, `id="do-give"`, `id="do-keep"`, `id="do-dismiss"`, "rep.b"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the conflict page lacks %s", want)
			}
		}
		for _, leak := range []string{"13700001111", "13812358000", "zhang.wei.2@hengxin.cn"} {
			if strings.Contains(r.Body, leak) {
				t.Errorf("the conflict page shows %s in full", leak)
			}
		}
		r = mgr.post("/conflicts/"+k+"/resolve", url.Values{"action": {"later"}, "note": {"先看看"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "先看看") {
			t.Errorf("an unknown action: %d", r.Status)
		}
		r = mgr.post("/conflicts/"+k+"/resolve", url.Values{"action": {"merge"}, "survivor": {"matched"}, "f.phone": {"new"},
			"f.company": {"matched"}, "note": {"同一家"}})
		if r.Status != http.StatusSeeOther || r.Location() != "/conflicts/"+k+"?flash=conflict.flash.merge" {
			t.Fatalf("merge: %d %s\n%.2000s", r.Status, r.Location(), r.Body)
		}
		if r := mgr.get(r.Location()); !strings.Contains(r.Body, `id="conflict-resolution"`) || strings.Contains(r.Body, `id="do-merge"`) {
			t.Errorf("the resolved conflict:\n%.2000s", r.Body)
		}
		if r := mgr.get("/customers/" + created); r.Status != http.StatusSeeOther ||
			r.Location() != "/customers/"+o.ownedByA+"?flash=conflict.merged_here" {
			t.Errorf("the merged customer's page: %d %s", r.Status, r.Location())
		}
		r = o.as("rep.a").get("/customers/" + o.ownedByA)
		if !strings.Contains(r.Body, "13700001111") || strings.Count(r.Body, `data-test="merged-event"`) != 2 {
			t.Errorf("the survivor's page: phone or merged history missing\n%.200s", r.Body)
		}
		if r := mgr.get("/conflicts"); strings.Contains(r.Body, `class="conflict-sr"`) {
			t.Errorf("no open conflict left, but a badge")
		}
	})
}
