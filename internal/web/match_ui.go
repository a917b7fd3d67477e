package web

// The new-customer page: a form that tells, while the rep types, which
// customer already holds the company, phone, email or WeChat id (and who
// owns it, so that they can talk) and which companies are like it; a
// like one is created only after "仍然创建". The store decides both, as
// for the API: the page only shows its answers.

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gonghai/gonghai"
)

// newCustomerForm is what the form holds, sent back as typed.
type newCustomerForm struct {
	Company, Name, Phone, Email, WeChat, Category, PoolID string
	Size                                                  string
	Mine, Lead                                            bool // Lead: create a lead (线索), converted later
}

func parseNewCustomer(f url.Values) newCustomerForm {
	return newCustomerForm{Company: f.Get("company"), Name: f.Get("name"), Phone: f.Get("phone"), Email: f.Get("email"),
		WeChat: f.Get("wechat"), Category: f.Get("category"), PoolID: f.Get("pool"), Mine: f.Get("mine") == "1",
		Size: f.Get("size"), Lead: f.Get("lifecycle") == string(gonghai.LifecycleLead)}
}

func (f newCustomerForm) fields() gonghai.CustomerFields {
	return gonghai.CustomerFields{Company: f.Company, Name: f.Name, Phone: f.Phone, Email: f.Email, WeChat: f.WeChat, Category: f.Category,
		Size: f.Size}
}

// newCustomerPage is the page's data. Matches is what the fields meet;
// Similar is set when a create was refused for like companies, and the
// page then offers to go on.
type newCustomerPage struct {
	Form       newCustomerForm
	Categories []string
	Sizes      []string
	Pools      []gonghai.Pool
	Matches    gonghai.Matches
	Similar    bool
	Error      string
	Errors     map[string]string
}

// newCustomerPageGet shows the empty form.
func (s *Server) newCustomerPageGet(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showNewCustomer(w, r, v, http.StatusOK, newCustomerPage{Form: newCustomerForm{PoolID: r.URL.Query().Get("pool")}})
}

// newCustomerPost creates the customer, or shows the form again with why
// not: the customer that holds a field, the like companies (with the
// button that goes on), or the fields at fault.
func (s *Server) newCustomerPost(w http.ResponseWriter, r *http.Request, v *view) error {
	form := parseNewCustomer(r.PostForm)
	in := gonghai.NewCustomer{CustomerFields: form.fields(), PoolID: form.PoolID, AllowSimilar: r.PostForm.Get("allow_similar") == "1"}
	if form.Mine {
		in.OwnerID = v.User.ID
	}
	if form.Lead {
		in.Lifecycle = gonghai.LifecycleLead
	}
	c, err := s.store.CreateCustomer(r.Context(), v.User, in)
	if err == nil {
		return s.seeOther(w, r, "/customers/"+c.ID+"?flash=match.flash.created")
	}
	page := newCustomerPage{Form: form}
	var ge *gonghai.Error
	if !errors.As(err, &ge) {
		return err
	}
	switch ge.Code {
	case gonghai.EDuplicate:
		page.Matches.Duplicates = []gonghai.DuplicateMatch{*ge.Match}
	case gonghai.ESimilar:
		page.Matches.Similar, page.Similar = ge.Similar, true
	case gonghai.EInvalid:
		page.Errors = ge.Fields
		page.Error = v.ErrorText(err)
	default:
		page.Error = v.ErrorText(err)
	}
	return s.showNewCustomer(w, r, v, problemFor(err).Status, page)
}

// newCustomerCheck answers the form's check as the rep types: the panel
// of what the fields meet, alone.
func (s *Server) newCustomerCheck(w http.ResponseWriter, r *http.Request, v *view) error {
	form := parseNewCustomer(r.URL.Query())
	page := newCustomerPage{Form: form}
	if f := form.fields(); f.Company != "" || f.Phone != "" || f.Email != "" || f.WeChat != "" {
		m, err := s.store.Matches(r.Context(), v.User, f)
		if err != nil {
			page.Error = v.ErrorText(err)
		}
		page.Matches = m
	}
	return s.fragment(w, v, http.StatusOK, "match", "match-panel", page)
}

func (s *Server) showNewCustomer(w http.ResponseWriter, r *http.Request, v *view, status int, page newCustomerPage) error {
	pools, err := s.store.Pools(r.Context(), v.User)
	if err != nil {
		return err
	}
	page.Pools, page.Categories, page.Sizes = pools, []string{"A", "B", "C"}, gonghai.Sizes
	if page.Form.PoolID == "" && len(pools) > 0 {
		page.Form.PoolID = pools[0].ID
	}
	v.Nav = "mine"
	return s.render(w, v, status, "match", page)
}
